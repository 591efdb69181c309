// Package synth writes a finished document's outputs under the output
// directory, mirroring the input tree: OUT/<rel>.json (folio.document/v1),
// image assets under OUT/<rel>.assets/ and, when asked, OUT/<rel>.md.
//
// Every file is written atomically (temp file in the same directory, fsync,
// rename, fsync of the directory), assets first and the JSON last, so that a
// JSON present on disk means everything it references is present too. All
// file system access goes through an os.Root opened on the output
// directory: no input path, however odd, writes outside it.
package synth
