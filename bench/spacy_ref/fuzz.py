#!/usr/bin/python3
"""Differential fuzzing of the spacy_en tokenizer against the stand-in.

    SPACY_REF_SRC=/tmp/spacy CORPUS_LIB=dist/corpus /usr/bin/python3 bench/spacy_ref/fuzz.py [SEED [COUNT]]

Random strings of URL-, affix- and exception-shaped pieces; prints the seed,
the first differences and their count."""
import sys, json, sqlite3, random
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spacy
spacy.configure(os.environ.get('SPACY_REF_SRC', '/tmp/spacy'))
nlp = spacy.blank("en")
con = sqlite3.connect(':memory:'); con.enable_load_extension(True); con.load_extension(os.environ.get('CORPUS_LIB', 'dist/corpus'))
seed = int(sys.argv[1]) if len(sys.argv)>1 else random.randrange(1<<30)
print("seed", seed); rnd = random.Random(seed)
alpha = ['a','b','Z','X','.','.','/',':','@','-','_','1','0','9','(',')',"'",'"',',','!','?','\u2026','é','€','%','km','http://','https://','www.','com','org','co.uk','$','#','&','=','+','\u2014','US$',"n't",'\u2019s',' ',' ','  ','\n',':)','<3','e.g.','Mr.','U.S.','192.168.1.1','10.0.0.1','8.8.8.8',':80','?q=1','#frag','user@','mailto:','\u00a9','\u00b0C','²','\u4e2d','\u3002','\u0640','\ufffd','\u200b','\u180e','\u00a0','[',']','{','}','*','^','~','<','>','|','\\']
bad = 0
for it in range(int(sys.argv[2]) if len(sys.argv)>2 else 20000):
    s = ''.join(rnd.choice(alpha) for _ in range(rnd.randint(1, 12)))
    a = json.loads(con.execute("select tokenize(?, 'spacy_en')", (s,)).fetchone()[0])
    b = [x.text.strip() for x in nlp(s) if x.text.strip()]
    if a != b:
        bad += 1
        if bad <= 15: print(repr(s), a, b)
print("differ", bad)
