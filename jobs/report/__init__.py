"""The frozen weekly report: build, model, sections, explanations, quality."""
