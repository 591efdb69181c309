package parse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"unicode/utf16"

	"github.com/klippa-app/go-pdfium"
	"github.com/tetratelabs/wazero/api"
)

// The parser calls PDFium's C exports directly on the WebAssembly instance
// that go-pdfium set up, instead of go-pdfium's request/response methods.
// Those cost 4-20 µs per character (a lock, a uuid handle per returned
// object, a guest malloc and free per out-parameter); a direct export call
// costs about 0.5 µs with WithCloseOnContextDone, which spawns a goroutine
// per call. go-pdfium still owns the runtime, the instances, the Emscripten
// host functions, the compilation cache and Kill.

// fn names one PDFium export.
type fn int

const (
	fnMalloc fn = iota
	fnFree
	fnLoadMemDocument64
	fnGetLastError
	fnCloseDocument
	fnGetPageCount
	fnGetMetaText
	fnLoadPage
	fnClosePage
	fnGetPageBoundingBox
	fnGetRotation
	fnTextLoadPage
	fnTextClosePage
	fnTextCountChars
	fnTextGetUnicode
	fnTextGetText
	fnTextCharIndexFromTextIndex
	fnTextGetLooseCharBox
	fnTextGetTextObject
	fnTextGetFontSize
	fnTextGetFontWeight
	fnTextGetFontInfo
	fnTextGetCharAngle
	fnTextGetMatrix
	fnTextIsGenerated
	fnTextObjGetRenderMode
	fnCountObjects
	fnGetObject
	fnObjGetType
	fnObjGetMatrix
	fnObjGetFillColor
	fnObjGetBounds
	fnPathCountSegments
	fnPathGetSegment
	fnPathGetDrawMode
	fnSegGetPoint
	fnSegGetType
	fnSegGetClose
	fnFormCountObjects
	fnFormGetObject
	fnImageGetPixelSize
	fnImageGetBitmap
	fnBitmapGetWidth
	fnBitmapGetHeight
	fnBitmapGetStride
	fnBitmapGetFormat
	fnBitmapGetBuffer
	fnBitmapDestroy
	fnBitmapCreate
	fnBitmapFillRect
	fnRenderPageBitmapWithMatrix
	fnObjCountMarks
	fnObjGetMark
	fnMarkGetName
	fnMarkGetParamValueType
	fnMarkGetParamStringValue
	fnObjGetClipPath
	fnClipCountPaths
	fnClipCountSegments
	fnClipGetSegment
	fnGetAnnotCount
	fnGetAnnot
	fnCloseAnnot
	fnAnnotGetSubtype
	fnAnnotGetFlags
	fnAnnotSetFlags
	fnAnnotHasKey
	fnFlatten
	numFns
)

// fnNames are the export names, indexed by fn.
var fnNames = [numFns]string{
	fnMalloc:                     "malloc",
	fnFree:                       "free",
	fnLoadMemDocument64:          "FPDF_LoadMemDocument64",
	fnGetLastError:               "FPDF_GetLastError",
	fnCloseDocument:              "FPDF_CloseDocument",
	fnGetPageCount:               "FPDF_GetPageCount",
	fnGetMetaText:                "FPDF_GetMetaText",
	fnLoadPage:                   "FPDF_LoadPage",
	fnClosePage:                  "FPDF_ClosePage",
	fnGetPageBoundingBox:         "FPDF_GetPageBoundingBox",
	fnGetRotation:                "FPDFPage_GetRotation",
	fnTextLoadPage:               "FPDFText_LoadPage",
	fnTextClosePage:              "FPDFText_ClosePage",
	fnTextCountChars:             "FPDFText_CountChars",
	fnTextGetUnicode:             "FPDFText_GetUnicode",
	fnTextGetText:                "FPDFText_GetText",
	fnTextCharIndexFromTextIndex: "FPDFText_GetCharIndexFromTextIndex",
	fnTextGetLooseCharBox:        "FPDFText_GetLooseCharBox",
	fnTextGetTextObject:          "FPDFText_GetTextObject",
	fnTextGetFontSize:            "FPDFText_GetFontSize",
	fnTextGetFontWeight:          "FPDFText_GetFontWeight",
	fnTextGetFontInfo:            "FPDFText_GetFontInfo",
	fnTextGetCharAngle:           "FPDFText_GetCharAngle",
	fnTextGetMatrix:              "FPDFText_GetMatrix",
	fnTextIsGenerated:            "FPDFText_IsGenerated",
	fnTextObjGetRenderMode:       "FPDFTextObj_GetTextRenderMode",
	fnCountObjects:               "FPDFPage_CountObjects",
	fnGetObject:                  "FPDFPage_GetObject",
	fnObjGetType:                 "FPDFPageObj_GetType",
	fnObjGetMatrix:               "FPDFPageObj_GetMatrix",
	fnObjGetFillColor:            "FPDFPageObj_GetFillColor",
	fnObjGetBounds:               "FPDFPageObj_GetBounds",
	fnPathCountSegments:          "FPDFPath_CountSegments",
	fnPathGetSegment:             "FPDFPath_GetPathSegment",
	fnPathGetDrawMode:            "FPDFPath_GetDrawMode",
	fnSegGetPoint:                "FPDFPathSegment_GetPoint",
	fnSegGetType:                 "FPDFPathSegment_GetType",
	fnSegGetClose:                "FPDFPathSegment_GetClose",
	fnFormCountObjects:           "FPDFFormObj_CountObjects",
	fnFormGetObject:              "FPDFFormObj_GetObject",
	fnImageGetPixelSize:          "FPDFImageObj_GetImagePixelSize",
	fnImageGetBitmap:             "FPDFImageObj_GetBitmap",
	fnBitmapGetWidth:             "FPDFBitmap_GetWidth",
	fnBitmapGetHeight:            "FPDFBitmap_GetHeight",
	fnBitmapGetStride:            "FPDFBitmap_GetStride",
	fnBitmapGetFormat:            "FPDFBitmap_GetFormat",
	fnBitmapGetBuffer:            "FPDFBitmap_GetBuffer",
	fnBitmapDestroy:              "FPDFBitmap_Destroy",
	fnBitmapCreate:               "FPDFBitmap_Create",
	fnBitmapFillRect:             "FPDFBitmap_FillRect",
	fnRenderPageBitmapWithMatrix: "FPDF_RenderPageBitmapWithMatrix",
	fnObjCountMarks:              "FPDFPageObj_CountMarks",
	fnObjGetMark:                 "FPDFPageObj_GetMark",
	fnMarkGetName:                "FPDFPageObjMark_GetName",
	fnMarkGetParamValueType:      "FPDFPageObjMark_GetParamValueType",
	fnMarkGetParamStringValue:    "FPDFPageObjMark_GetParamStringValue",
	fnObjGetClipPath:             "FPDFPageObj_GetClipPath",
	fnClipCountPaths:             "FPDFClipPath_CountPaths",
	fnClipCountSegments:          "FPDFClipPath_CountPathSegments",
	fnClipGetSegment:             "FPDFClipPath_GetPathSegment",
	fnGetAnnotCount:              "FPDFPage_GetAnnotCount",
	fnGetAnnot:                   "FPDFPage_GetAnnot",
	fnCloseAnnot:                 "FPDFPage_CloseAnnot",
	fnAnnotGetSubtype:            "FPDFAnnot_GetSubtype",
	fnAnnotGetFlags:              "FPDFAnnot_GetFlags",
	fnAnnotSetFlags:              "FPDFAnnot_SetFlags",
	fnAnnotHasKey:                "FPDFAnnot_HasKey",
	fnFlatten:                    "FPDFPage_Flatten",
}

// PDFium's FPDF_GetLastError codes.
const (
	errCodeFile     = 2
	errCodeFormat   = 3
	errCodePassword = 4
	errCodeSecurity = 5
	errCodePage     = 6
)

// PDFium's page object types (FPDF_PAGEOBJ_*).
const (
	objText    = 1
	objPath    = 2
	objImage   = 3
	objShading = 4
	objForm    = 5
)

// PDFium's path segment types (FPDF_SEGMENT_*).
const (
	segLine   = 0
	segBezier = 1
	segMove   = 2
)

// scratchSize is the size of the guest buffer for out-parameters.
const scratchSize = 64

// errGuestAlloc reports that the guest's malloc returned NULL: the instance
// is out of WebAssembly memory.
var errGuestAlloc = errors.New("out of wasm memory: malloc failed")

// lib is a binding to the PDFium exports of one WebAssembly instance, used
// by one goroutine for one document. The first failed call sets err, and
// every later call returns zero without entering the guest, so callers check
// err at convenient points instead of after every call.
type lib struct {
	ctx   context.Context
	mem   api.Memory
	fns   [numFns]api.Function
	stack [8]uint64
	err   error

	scratch uint32 // scratchSize bytes for out-parameters
	buf     uint32 // growable buffer for strings and text
	bufLen  uint32
	cstrs   map[string]uint32 // NUL-terminated keys in guest memory

	// repaired holds qpdf's rebuild of the input when the open document
	// is that rather than the input as written.
	repaired []byte
}

// bind reaches the wasm module behind a go-pdfium webassembly instance and
// resolves the exports the parser uses. go-pdfium memoizes the export
// lookups per instance, so binding a reused instance is cheap.
func bind(ctx context.Context, inst pdfium.Pdfium) (l *lib, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("bind pdfium exports: %v", r)
		}
	}()
	impl := reflect.ValueOf(inst.GetImplementation())
	if impl.Kind() != reflect.Pointer || impl.IsNil() {
		return nil, fmt.Errorf("bind pdfium exports: unexpected implementation %T", inst.GetImplementation())
	}
	lookup := impl.MethodByName("Fn")
	module := impl.Elem().FieldByName("Module")
	if !lookup.IsValid() || !module.IsValid() {
		return nil, fmt.Errorf("bind pdfium exports: implementation %T lacks Fn or Module", inst.GetImplementation())
	}
	memVal := module.MethodByName("Memory").Call(nil)[0]
	mem, ok := memVal.Interface().(api.Memory)
	if !ok {
		return nil, fmt.Errorf("bind pdfium exports: memory is %T, not a wazero memory", memVal.Interface())
	}
	l = &lib{ctx: ctx, mem: mem}
	for i, name := range fnNames {
		v := lookup.Call([]reflect.Value{reflect.ValueOf(name)})[0]
		f, ok := v.Interface().(api.Function)
		if !ok || f == nil {
			return nil, fmt.Errorf("bind pdfium exports: %s is missing", name)
		}
		l.fns[i] = f
	}
	l.scratch = l.malloc(scratchSize)
	if l.err != nil {
		return nil, l.err
	}
	return l, nil
}

// cstr returns s as a NUL-terminated string in guest memory, written once
// per lib; 0 after an error.
func (l *lib) cstr(s string) uint32 {
	if p, ok := l.cstrs[s]; ok {
		return p
	}
	p := l.malloc(uint32(len(s)) + 1)
	if p == 0 {
		return 0
	}
	l.write(p, append([]byte(s), 0))
	if l.cstrs == nil {
		l.cstrs = make(map[string]uint32)
	}
	l.cstrs[s] = p
	return p
}

// release frees the guest buffers of l.
func (l *lib) release() {
	for _, p := range l.cstrs {
		l.free(p)
	}
	l.cstrs = nil
	if l.buf != 0 {
		l.free(l.buf)
		l.buf, l.bufLen = 0, 0
	}
	if l.scratch != 0 {
		l.free(l.scratch)
		l.scratch = 0
	}
}

// call invokes f with args and returns its single result, or zero after an
// error.
func (l *lib) call(f fn, args ...uint64) uint64 {
	if l.err != nil {
		return 0
	}
	copy(l.stack[:], args)
	if err := l.fns[f].CallWithStack(l.ctx, l.stack[:]); err != nil {
		l.err = fmt.Errorf("%s: %w", fnNames[f], err)
		return 0
	}
	return l.stack[0]
}

// callI32 calls f and decodes an int result.
func (l *lib) callI32(f fn, args ...uint64) int {
	return int(api.DecodeI32(l.call(f, args...)))
}

// callPtr calls f and decodes a pointer (handle) result.
func (l *lib) callPtr(f fn, args ...uint64) uint32 {
	return api.DecodeU32(l.call(f, args...))
}

// malloc allocates n bytes in the guest.
func (l *lib) malloc(n uint32) uint32 {
	p := l.callPtr(fnMalloc, uint64(n))
	if p == 0 && l.err == nil {
		l.err = errGuestAlloc
	}
	return p
}

// free releases a guest allocation.
func (l *lib) free(p uint32) {
	if p != 0 {
		l.call(fnFree, uint64(p))
	}
}

// ensureBuf makes l.buf at least n bytes long.
func (l *lib) ensureBuf(n uint32) uint32 {
	if l.bufLen >= n {
		return l.buf
	}
	l.free(l.buf)
	l.buf, l.bufLen = 0, 0
	size := max(n, 4096)
	if p := l.malloc(size); p != 0 {
		l.buf, l.bufLen = p, size
	}
	return l.buf
}

// u32 reads a little-endian uint32 at p.
func (l *lib) u32(p uint32) uint32 {
	v, ok := l.mem.ReadUint32Le(p)
	if !ok && l.err == nil {
		l.err = fmt.Errorf("read guest memory at %#x: out of range", p)
	}
	return v
}

// f32 reads a little-endian float32 at p.
func (l *lib) f32(p uint32) float64 {
	v, ok := l.mem.ReadFloat32Le(p)
	if !ok && l.err == nil {
		l.err = fmt.Errorf("read guest memory at %#x: out of range", p)
	}
	return float64(v)
}

// writeF32 writes vs as consecutive little-endian float32 values at p, as
// FS_MATRIX and FS_RECTF hold them.
func (l *lib) writeF32(p uint32, vs ...float64) {
	for i, v := range vs {
		if l.err == nil && !l.mem.WriteFloat32Le(p+4*uint32(i), float32(v)) {
			l.err = fmt.Errorf("write float at %#x: out of range", p+4*uint32(i))
		}
	}
}

// read copies n guest bytes at p.
func (l *lib) read(p, n uint32) []byte {
	if l.err != nil {
		return nil
	}
	b, ok := l.mem.Read(p, n)
	if !ok {
		l.err = fmt.Errorf("read %d guest bytes at %#x: out of range", n, p)
		return nil
	}
	return append([]byte(nil), b...)
}

// write copies b into guest memory at p.
func (l *lib) write(p uint32, b []byte) {
	if l.err == nil && !l.mem.Write(p, b) {
		l.err = fmt.Errorf("write %d guest bytes at %#x: out of range", len(b), p)
	}
}

// utf16At decodes n bytes of UTF-16LE at p, stopping at a NUL.
func (l *lib) utf16At(p, n uint32) string {
	b := l.read(p, n)
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// rectF reads an FS_RECTF {left, top, right, bottom} at p.
func (l *lib) rectF(p uint32) (left, top, right, bottom float64) {
	return l.f32(p), l.f32(p + 4), l.f32(p + 8), l.f32(p + 12)
}

// f64Result decodes a double result.
func f64Result(v uint64) float64 { return api.DecodeF64(v) }

// f32Result decodes a float result.
func f32Result(v uint64) float64 { return float64(api.DecodeF32(v)) }

// finite reports whether all values are finite numbers.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
