# Pipelines N requests on one TCP connection; "read" reads the replies concurrently, "noread" never reads.
# usage: python3 pipeline.py PORT N read|noread
import socket, sys, time, threading
port=int(sys.argv[1]); n=int(sys.argv[2]); read=sys.argv[3]=="read"
s=socket.socket(); s.connect(("127.0.0.1",port))
got=[0]; done=[False]
def reader():
    buf=b""
    while got[0] < n+1:
        d=s.recv(1<<16)
        if not d: break
        got[0]+=d.count(b"\n")
    done[0]=True
if read: threading.Thread(target=reader,daemon=True).start()
t0=time.time()
data=b"paramAdd messageId 1\n"*n
try:
    s.sendall(data); print("wrote all", n, "in", round(time.time()-t0,2), "s", flush=True)
except Exception as e: print("write ended:", e, "after", round(time.time()-t0,2), "s", flush=True)
while read and not done[0] and time.time()-t0<120: time.sleep(0.2)
print("replies read:", got[0]-1 if read else "n/a", "in", round(time.time()-t0,2),"s", flush=True)
