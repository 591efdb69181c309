// Package openai is Folio's model provider for OpenAI-compatible chat
// completion endpoints (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp
// server, a LiteLLM proxy), through github.com/openai/openai-go/v3.
//
// A [Specialist] sends one element to one model of one [Endpoint] with a
// versioned prompt template and a strict JSON schema for the answer, decodes
// the answer strictly and maps it into the element's table, image or text.
// The model never supplies ids, pages, boxes or lineage. Images and crops
// are sent at the size that costs the fewest image tokens by the model's
// published formula while keeping Model.MinImageDPI of the page, at "low"
// detail when that is enough; the Result records the size, detail and
// estimated tokens.
//
// The provider makes exactly one HTTP request per Run: it never retries
// (retries, rate limits, caching and budgets are wrappers in package route),
// and it reads no environment variables: base URL and key come only from the
// Endpoint. Failures carry a class from package route (rate_limit,
// transient, context_length, auth, refusal, schema, empty, input) and the
// server's Retry-After when it gave one.
package openai
