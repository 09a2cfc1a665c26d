"""One blueprint per feature. Views are thin: parse the request, call the core, render."""
