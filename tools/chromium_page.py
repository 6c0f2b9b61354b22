# Opens HTML pages in headless Chromium through the DevTools protocol (over
# --remote-debugging-pipe: NUL-terminated JSON on file descriptors 3 and 4,
# so no WebSocket client is needed) and prints, for each page, one JSON
# line:
#   {"page": PATH, "errors": [...], "charts": [[data-chart, bars], ...],
#    "overflow": scrollWidth - innerWidth, "scripts": N, "height": PX}
# errors: console messages of level error or warning, uncaught exceptions,
# and the browser's log entries of level error (a resource that failed to
# load: a broken <img>, a stylesheet fetched from the network).  bars: the
# elements of class "bar" inside each figure[data-chart], as rendered.
# With --screenshot PNG (one page), also a PNG of the whole page, 1280
# pixels wide and as tall as the page (make report-shot).
#   python3 tools/chromium_page.py [--screenshot PNG] CHROMIUM PAGE...
# test/report01.test runs it on the report and on pages that must fail.
import base64, fcntl, json, os, select, subprocess, sys, tempfile, time

args = sys.argv[1:]
shot = None
if args[:1] == ['--screenshot']:
    shot, args = args[1], args[2:]
chromium, pages = args[0], args[1:]
profile = tempfile.mkdtemp(prefix='report01-')
# the pipes' ends at 10 and above, so that the child's dup2 onto 3 and 4
# cannot overwrite one of them
def high(fd):
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new
r_in, w_in = map(high, os.pipe())      # our commands -> the browser's fd 3
r_out, w_out = map(high, os.pipe())    # the browser's fd 4 -> us
def child_fds():
    os.dup2(r_in, 3)                   # dup2 clears close-on-exec
    os.dup2(w_out, 4)
# The browser is not the code under test: under make asan the sanitizers'
# LD_PRELOAD reaches this script, and must not reach Chromium.
browser_env = {k: v for k, v in os.environ.items()
               if k not in ('LD_PRELOAD', 'ASAN_OPTIONS', 'LSAN_OPTIONS',
                            'UBSAN_OPTIONS')}
proc = subprocess.Popen(
    [chromium, '--headless', '--no-sandbox', '--disable-gpu',
     '--disable-dev-shm-usage', '--hide-scrollbars',
     '--remote-debugging-pipe', '--user-data-dir=' + profile,
     '--window-size=1280,900', '--no-first-run', '--disable-extensions',
     'about:blank'],
    close_fds=False, preexec_fn=child_fds, env=browser_env,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(r_in)
os.close(w_out)
send_fd, recv_fd = w_in, r_out
pending = b''
next_id = 0
deadline = time.time() + 30

def send(method, params=None, session=None):
    global next_id
    next_id += 1
    msg = {'id': next_id, 'method': method, 'params': params or {}}
    if session:
        msg['sessionId'] = session
    os.write(send_fd, json.dumps(msg).encode() + b'\0')
    return next_id

def receive():
    global pending
    while b'\0' not in pending:
        left = deadline - time.time()
        if left <= 0 or not select.select([recv_fd], [], [], left)[0]:
            raise SystemExit('chromium_page.py: the browser did not answer in 30 s')
        chunk = os.read(recv_fd, 65536)
        if not chunk:
            raise SystemExit('chromium_page.py: the browser closed the pipe')
        pending += chunk
    msg, pending = pending.split(b'\0', 1)
    return json.loads(msg)

events = []
def call(method, params=None, session=None):
    want = send(method, params, session)
    while True:
        msg = receive()
        if msg.get('id') == want:
            if 'error' in msg:
                raise SystemExit('chromium_page.py: %s: %s' % (method, msg['error']))
            return msg.get('result', {})
        events.append(msg)

def wait_for(method, session):
    while True:
        for i, e in enumerate(events):
            if e.get('method') == method and e.get('sessionId') == session:
                del events[i]
                return e
        events.append(receive())

PROBE = '''JSON.stringify({
  charts: [...document.querySelectorAll('figure[data-chart]')].map(
    f => [f.dataset.chart, f.querySelectorAll('.bar').length]),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  height: document.documentElement.scrollHeight,
  scripts: document.scripts.length})'''

try:
    for page in pages:
        target = call('Target.createTarget', {'url': 'about:blank'})['targetId']
        session = call('Target.attachToTarget',
                       {'targetId': target, 'flatten': True})['sessionId']
        for domain in ('Page', 'Runtime', 'Log'):
            call(domain + '.enable', session=session)
        del events[:]
        call('Page.navigate', {'url': 'file://' + os.path.abspath(page)},
             session=session)
        wait_for('Page.loadEventFired', session)
        probe = json.loads(call('Runtime.evaluate', {'expression': PROBE},
                                session=session)['result']['value'])
        errors = []
        for e in events:
            if e.get('sessionId') != session:
                continue
            m, p = e.get('method'), e.get('params', {})
            if m == 'Runtime.consoleAPICalled' and p['type'] in ('error', 'warning', 'assert'):
                errors.append('console.%s: %s' % (p['type'], ' '.join(
                    str(a.get('value', a.get('description', ''))) for a in p['args'])))
            elif m == 'Runtime.exceptionThrown':
                errors.append('exception: ' + p['exceptionDetails'].get('text', ''))
            elif m == 'Log.entryAdded' and p['entry']['level'] == 'error':
                errors.append('log: %s %s' % (p['entry']['text'],
                                              p['entry'].get('url', '')))
        if shot:
            call('Emulation.setDeviceMetricsOverride',
                 {'width': 1280, 'height': probe['height'],
                  'deviceScaleFactor': 1, 'mobile': False}, session=session)
            png = call('Page.captureScreenshot', {'format': 'png'},
                       session=session)['data']
            with open(shot, 'wb') as f:
                f.write(base64.b64decode(png))
        call('Target.closeTarget', {'targetId': target})
        probe.update({'page': page, 'errors': errors})
        print(json.dumps(probe, sort_keys=True))
        sys.stdout.flush()
finally:
    try:
        send('Browser.close')
        proc.wait(10)
    except Exception:
        proc.kill()
        proc.wait()
    subprocess.run(['rm', '-rf', profile])
