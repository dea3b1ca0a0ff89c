"""JSON Schemas shipped with gpulint (package data)."""
