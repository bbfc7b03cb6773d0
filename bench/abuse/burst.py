# One sender writes N says to defaultRoom without reading; three readers read as fast as they can.
# Prints what each reader received and whether it was disconnected. usage: python3 burst.py PORT N
import socket, sys, time, threading
port=int(sys.argv[1]); n=int(sys.argv[2]); room="defaultRoom"
def join():
    s=socket.socket(); s.connect(("127.0.0.1",port)); f=s.makefile("rb")
    f.readline(); s.sendall(f"roomAdd {room}\n".encode()); f.readline(); return s,f
readers=[join() for _ in range(3)]
counts=[0,0,0]; closed=[False]*3; last=[time.time()]
def read(i):
    s,f=readers[i]
    while True:
        l=f.readline()
        if not l: closed[i]=True; return
        if l.startswith(b'{"message"'): counts[i]+=1; last[0]=time.time()
for i in range(3): threading.Thread(target=read,args=(i,),daemon=True).start()
sender,_=join()
t0=time.time()
try:
    sender.sendall(b"".join(b"say %s m%d\n"%(room.encode(),i) for i in range(n))); print("sender wrote all", flush=True)
except Exception as e: print("sender write ended:", e, "after", round(time.time()-t0,2),"s", flush=True)
while time.time()-last[0] < 3 and time.time()-t0 < 120: time.sleep(0.2)
print("readers received", counts, "disconnected", closed, "in", round(time.time()-t0,1), "s", flush=True)
