"""RQ entry points. Jobs get ids, never objects, and run inside an app context of their own."""
