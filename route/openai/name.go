package openai

// ModelName is the name calls are recorded under: "openai/" and the
// provider's model id, whatever the policy calls the model.
func (s *Specialist) ModelName() string { return "openai/" + s.m.Model }
