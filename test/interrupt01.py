# Long work stops at sqlite3_interrupt() (issue 12, item 4's second half):
# each statement below runs for many seconds unless interrupted; another
# thread interrupts it after 0.3 s (2 s under the sanitizers).  Prints, per
# statement, the error and whether it stopped in time after the interrupt.
# Run by interrupt01.test.
import sqlite3, sys, threading, time

# within how many seconds of the interrupt (argument 2): 3, more under the
# sanitizers, whose allocator is slow to free what an aborted statement held
allowed = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
# after how many seconds to interrupt (argument 3): 0.3, more under the
# sanitizers, where reading the rows takes longer
delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.3
con = sqlite3.connect(':memory:', check_same_thread=False)
con.enable_load_extension(True)
con.load_extension(sys.argv[1])
con.execute("""CREATE TABLE d AS WITH RECURSIVE n(i) AS
  (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  SELECT 'word' || (i % 97) || ' other' || (i % 13) || ' x y z' AS t,
         i % 2 AS l FROM n""")
con.execute("CREATE TABLE long(t, l)")
con.executemany("INSERT INTO long VALUES (?, ?)",
                [(' '.join('w%d' % ((i * 7 + j * 13) % 5000) for j in range(200)),
                  i % 2) for i in range(2000)])
STATEMENTS = [
  # training: epochs x sample steps, in the aggregate's final call (2,000
  # rows of 200 words: read in a tenth of the time before the interrupt, so
  # that it lands in training, which takes seconds)
  ("quality_train", "SELECT length(quality_train(t, l, 'epochs=1000')) FROM long"),
  # the query dedup_clusters() runs
  ("dedup_clusters", """SELECT count(*) FROM dedup_clusters('WITH RECURSIVE
     n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)
     SELECT i, i + 1 FROM n')"""),
  # the reads near_duplicates() runs (100 million documents)
  ("near_duplicates", """SELECT count(*) FROM near_duplicates('WITH RECURSIVE
     n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)
     SELECT i, ''word'' || (i % 1000) || '' a b c d e'' FROM n')"""),
]
fired = []
def fire():
    fired.append(time.time())
    con.interrupt()

for name, sql in STATEMENTS:
    # measured from the interrupt, which a loaded machine may deliver late
    fired.clear()
    timer = threading.Timer(delay, fire)
    timer.start()
    try:
        con.execute(sql).fetchall()
        print(name, "finished")
    except sqlite3.Error as e:
        late = not fired or time.time() - fired[0] > allowed
        print(name, e, "late" if late else "in time")
    timer.join()
