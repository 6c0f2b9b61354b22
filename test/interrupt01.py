# Long work stops at sqlite3_interrupt() (issue 12, item 4's second half):
# each statement below runs for many seconds unless interrupted; another
# thread interrupts it after 0.3 s.  Prints, per statement, the error and
# whether it stopped within 3 s of the interrupt.  Run by interrupt01.test.
import sqlite3, sys, threading, time

con = sqlite3.connect(':memory:', check_same_thread=False)
con.enable_load_extension(True)
con.load_extension(sys.argv[1])
con.execute("""CREATE TABLE d AS WITH RECURSIVE n(i) AS
  (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  SELECT 'word' || (i % 97) || ' other' || (i % 13) || ' x y z' AS t,
         i % 2 AS l FROM n""")
STATEMENTS = [
  # training: epochs x sample steps, in the aggregate's final call
  ("quality_train", "SELECT length(quality_train(t, l, 'epochs=1000')) FROM d"),
  # the query dedup_clusters() runs
  ("dedup_clusters", """SELECT count(*) FROM dedup_clusters('WITH RECURSIVE
     n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)
     SELECT i, i + 1 FROM n')"""),
]
fired = []
def fire():
    fired.append(time.time())
    con.interrupt()

for name, sql in STATEMENTS:
    # measured from the interrupt, which a loaded machine may deliver late
    fired.clear()
    timer = threading.Timer(0.3, fire)
    timer.start()
    try:
        con.execute(sql).fetchall()
        print(name, "finished")
    except sqlite3.Error as e:
        late = not fired or time.time() - fired[0] > 3
        print(name, e, "late" if late else "in time")
    timer.join()
