"""Hold a SQLite database's write lock from another process until stdin closes (a test's 'locked file')."""

import sqlite3
import sys

conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
