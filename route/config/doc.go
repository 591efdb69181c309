// Package config reads Folio's policy file: the YAML file, folio.yaml or the
// one --config names, that declares the model endpoints, the model aliases
// with their prices, a chain of links per element type, the baseline model
// and the budget. Without a policy file Folio runs [route.DefaultPolicy] and
// stays fully local.
//
// [Load] and [Parse] check the whole file and report every problem at once,
// each naming the file, the line and the field; all of them match
// [ErrInvalid]. The file never holds an API key: an endpoint names the
// environment variable that does, and [Endpoint.APIKey] reads it.
package config
