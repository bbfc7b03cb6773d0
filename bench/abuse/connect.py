# Opens N TCP connections to PORT and holds them; then closes them and checks that a new client is welcomed.
# usage: python3 connect.py PORT N HOLD_SECONDS
import socket, sys, time
port=int(sys.argv[1]); n=int(sys.argv[2]); hold=float(sys.argv[3])
socks=[]; ok=0; fail=0
for i in range(n):
    s=socket.socket(); s.settimeout(2)
    try:
        s.connect(("127.0.0.1",port)); socks.append(s); ok+=1
    except Exception:
        fail+=1
print("connected",ok,"failed",fail,flush=True)
time.sleep(hold)
got=0
for s in socks[:50]+socks[-50:]:
    try:
        s.settimeout(0.2); got+= 1 if s.recv(200) else 0
    except Exception: pass
print("first/last 50 got data:",got,flush=True)
for s in socks: s.close()
time.sleep(2)
for attempt in range(10):
    s=socket.socket(); s.settimeout(3)
    try:
        s.connect(("127.0.0.1",port)); print("after close: got", s.recv(200)[:60], flush=True); break
    except Exception as e:
        print("after close attempt", attempt, e, flush=True)
    finally:
        s.close()
    time.sleep(1)
