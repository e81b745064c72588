"""Answer the date questions: the model read from a build, its date index and the engine."""
