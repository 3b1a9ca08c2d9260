"""The staff dashboard: a few set-based, indexed read statements over the other areas."""
