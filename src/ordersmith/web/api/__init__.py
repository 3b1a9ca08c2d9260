"""JSON API routes under /api/v1: parse -> service/query -> schema; nothing else."""
