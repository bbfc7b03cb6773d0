#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (fuzz/corpus/<target>/<name>). Re-run after changing a seed here.
The first byte of line-framer, ws-frames and upgrade-request seeds picks how the target splits the rest into reads:
0 whole, 1 byte by byte, 2+ pieces (see FuzzTargets.Split)."""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))

def frame(opcode, payload, fin=True, mask=b"\x11\x22\x33\x44"):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n <= 125: head += bytes([0x80 | n])
    elif n <= 0xFFFF: head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else: head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

LONG = b"say defaultRoom " + b"x" * 300

seeds = {
    "line-framer": {
        "verbs": b"\x00roomAdd defaultRoom\r\nsay defaultRoom hello\r\nroomView defaultRoom\nquit\n",
        "json-action-bytewise": b"\x01{\"action\":\"createChatRoom\",\"params\":{\"name\":\"x\"}}\r\n",
        "too-long-then-ok": b"\x05" + LONG + b"\r\ndetailsView\r\n",
        "unterminated-long": b"\x08" + b"y" * 400,
        "empty-lines": b"\x02\r\n\r\n\n\r",
        "lone-surrogate-line": b"\x00{\"action\":\"createChatRoom\",\"params\":{\"name\":\"\\ud800\"}}\n",
        "params": b"\x03paramAdd name room1\r\nparamsView\r\nparamDelete name\r\n",
        "utf8": "\x00say defaultRoom h\u00e9llo \u20ac \U0001F600\n".encode(),
    },
    "primus-codec": {
        "say": b"{\"event\":\"say\",\"room\":\"defaultRoom\",\"message\":\"hi\",\"messageId\":1}",
        "action": b"{\"event\":\"action\",\"params\":{\"action\":\"createChatRoom\",\"name\":\"x\"},\"messageId\":\"a\"}",
        "pong": b"\"primus::pong::1700000000000\"",
        "id": b"\"primus::id::\"",
        "lone-surrogate": b"{\"event\":\"roomAdd\",\"room\":\"\\ud800\",\"messageId\":1}",
        "duplicate-keys": b"{\"event\":\"say\",\"event\":\"roomView\",\"room\":[1,{\"a\":null}],\"messageId\":0}",
        "values": b"[1,\"two\",null,true,1e3,-0.5]",
        "deep": b"[" * 70 + b"]" * 70,
    },
    "ws-frames": {
        "text": b"\x00" + frame(0x1, b"{\"event\":\"detailsView\",\"messageId\":1}"),
        "fragmented-with-ping": b"\x02" + frame(0x1, b"{\"event\":", fin=False) + frame(0x9, b"hb") + frame(0x0, b"\"say\"}", fin=True),
        "one-byte-fragments": b"\x00" + frame(0x1, b"{", fin=False) + b"".join(frame(0x0, b" ", fin=False) for _ in range(80)) + frame(0x0, b"}"),
        "close-1000": b"\x00" + frame(0x8, struct.pack(">H", 1000) + b"bye"),
        "close-1005-invalid": b"\x00" + frame(0x8, struct.pack(">H", 1005)),
        "close-one-byte": b"\x01" + frame(0x8, b"\x03"),
        "binary": b"\x04" + frame(0x2, bytes(range(200))),
        "len16": b"\x00" + frame(0x1, b"a" * 300),
        "unmasked": b"\x00\x81\x02hi",
        "len64-huge": b"\x00\x81\xff\x7f\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00",
        "rsv-bit": b"\x00\xc1\x80\x00\x00\x00\x00",
    },
    "upgrade-request": {
        "upgrade": b"\x00GET /primus?_primuscb=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "upgrade-bytewise-origin": b"\x01GET /primus HTTP/1.1\r\nHost: h\r\nOrigin: https://chat.example\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "session": b"\x07GET /primus/?sessionID=a%20b&sessionID=c HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x80\x00\x00\x00\x00",
        "plain-get": b"\x00GET /api/status HTTP/1.1\r\nHost: h\r\n\r\n",
        "spec": b"\x00GET /primus/spec HTTP/1.1\r\nHost: h\r\n\r\n",
        "folded-header": b"\x00GET /primus HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n x\r\n\r\n",
    },
    "json-request": {
        "object": b"{\"action\":\"say\",\"params\":{\"room\":\"r\",\"message\":\"m\"},\"messageId\":\"1\"}",
        "lone-surrogate": b"{\"name\":\"\\ud800\"}",
        "lone-low-surrogate-key": b"{\"\\udc00\":1}",
        "invalid-utf8": b"{\"name\":\"\xff\xfe\"}",
        "encoded-surrogate": b"{\"name\":\"\xed\xa0\x80\"}",
        "numbers": b"[1e999,-1e999,1e-999,9007199254740993,-0,0.1,123456789012345678901234567890]",
        "escapes": b"\"\\u0000\\n\\t\\\"\\\\\\/\\ud83d\\ude00\"",
        "trailing": b"{} {}",
        "deep": b"{\"a\":" * 70 + b"1" + b"}" * 70,
    },
}

for target, files in seeds.items():
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
print("wrote", sum(len(f) for f in seeds.values()), "seeds")
