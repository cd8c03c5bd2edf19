"""The boards that read every line: the counter's console home and the owner's dashboard. Nobody imports it."""
