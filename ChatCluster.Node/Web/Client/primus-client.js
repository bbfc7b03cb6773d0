/*
 * Primus-protocol client for ChatCluster (written for ChatCluster; speaks the wire protocol of Primus 8 with the
 * JSON parser and the "websockets" transformer). Plain browser JavaScript, no build step.
 *
 *   var primus = new Primus('http://127.0.0.1:8080', { reconnect: { min: 500, max: 30000 } });
 *   primus.on('open', ...); primus.on('data', function (message) { ... }); primus.write({ event: 'detailsView' });
 *
 * Frames are JSON values. The server's "primus::ping::<t>" is answered with "primus::pong::<t>"; no ping within
 * pingTimeout means the link is dead and the client reconnects. "primus::server::close" means the server ended this
 * connection on purpose: the client does not reconnect. Writes made while offline wait in a bounded queue and go
 * out in order once the socket opens.
 *
 * Events: open, data, close (socket lost; a reconnect follows), reconnect scheduled / reconnecting (delay and attempt
 * known), reconnect (an attempt starts), reconnected, reconnect failed, end (final: no more reconnects), error,
 * timeout (an attempt did not open in time), online, offline.
 */
(function (root) {
  'use strict';

  var PATHNAME = '%%PATHNAME%%';
  var PING_TIMEOUT = %%PING_TIMEOUT%%;

  function Emitter() {}
  Emitter.prototype.on = function (event, fn) {
    var all = this._events || (this._events = {});
    (all[event] || (all[event] = [])).push(fn);
    return this;
  };
  Emitter.prototype.addListener = Emitter.prototype.on;
  Emitter.prototype.once = function (event, fn) {
    var self = this;
    function wrapper() { self.off(event, wrapper); fn.apply(self, arguments); }
    wrapper.listener = fn;
    return this.on(event, wrapper);
  };
  Emitter.prototype.off = function (event, fn) {
    if (!this._events || !this._events[event]) return this;
    if (!fn) { delete this._events[event]; return this; }
    this._events[event] = this._events[event].filter(function (l) { return l !== fn && l.listener !== fn; });
    return this;
  };
  Emitter.prototype.removeListener = Emitter.prototype.off;
  Emitter.prototype.removeAllListeners = function (event) {
    if (event === undefined) this._events = {}; else if (this._events) delete this._events[event];
    return this;
  };
  Emitter.prototype.listeners = function (event) {
    return this._events && this._events[event] ? this._events[event].slice() : [];
  };
  Emitter.prototype.emit = function (event) {
    var list = this.listeners(event);
    var args = Array.prototype.slice.call(arguments, 1);
    for (var i = 0; i < list.length; i++) list[i].apply(this, args);
    return list.length > 0;
  };

  var states = { CLOSED: 1, OPENING: 2, OPEN: 3 };
  var cacheBuster = 0;

  function merge(target) {
    for (var i = 1; i < arguments.length; i++) {
      var source = arguments[i];
      if (!source) continue;
      for (var key in source) if (Object.prototype.hasOwnProperty.call(source, key)) target[key] = source[key];
    }
    return target;
  }

  /**
   * new Primus(url, options): url is the server ("http://host:port", optionally with a query string that the
   * server sees, e.g. ?sessionID=...). Options: manual (do not open at once), pingTimeout (ms), timeout (ms for an
   * attempt to open), queueSize (offline writes kept), reconnect { min, max, factor, retries } in ms.
   */
  function Primus(url, options) {
    if (!(this instanceof Primus)) return new Primus(url, options);
    options = options || {};
    this.options = options;
    this.url = url || (root.location ? root.location.origin : '');
    this.pingTimeout = options.pingTimeout === false ? 0 : (options.pingTimeout || PING_TIMEOUT);
    this.connectTimeout = options.timeout || 10000;
    this.queueSize = options.queueSize || 1000;
    var strategy = merge({ min: 500, max: 30000, factor: 2, retries: Infinity }, options.reconnect || {});
    this.backoff = strategy;
    this.readyState = states.CLOSED;
    this.buffer = [];
    this.attempt = 0;
    this.ended = false;
    this.socket = null;
    this.timers = {};
    this._events = {};
    var self = this;
    if (root.addEventListener) {
      // The browser tells us when the network comes back: try at once instead of waiting out the backoff.
      this._online = function () { self.emit('online'); if (!self.ended && self.readyState !== states.OPEN) { self.clear('reconnect'); self.reconnect(0); } };
      this._offline = function () { self.emit('offline'); };
      root.addEventListener('online', this._online);
      root.addEventListener('offline', this._offline);
    }
    if (!options.manual) setTimeout(function () { self.open(); }, 0);
  }
  Primus.prototype = Object.create(Emitter.prototype);
  Primus.prototype.constructor = Primus;
  Primus.prototype.Emitter = Emitter;
  Primus.EventEmitter = Emitter;
  Primus.connect = function (url, options) { return new Primus(url, options); };
  Primus.OPENING = states.OPENING; Primus.CLOSED = states.CLOSED; Primus.OPEN = states.OPEN;

  /** The websocket URL: ws(s), the Primus path, the given query plus a cache-buster. */
  Primus.prototype.uri = function () {
    var base = root.location ? root.location.href : undefined;
    var parsed = new URL(this.url, base);
    parsed.protocol = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 'wss:' : 'ws:';
    parsed.pathname = parsed.pathname.replace(/\/+$/, '') + PATHNAME;
    parsed.searchParams.set('_primuscb', Date.now().toString(36) + '-' + (cacheBuster++).toString(36));
    parsed.hash = '';
    return parsed.toString();
  };

  Primus.prototype.clear = function (name) {
    if (this.timers[name]) { clearTimeout(this.timers[name]); delete this.timers[name]; }
  };

  Primus.prototype.clearAll = function () {
    for (var name in this.timers) clearTimeout(this.timers[name]);
    this.timers = {};
  };

  /** Opens the socket (again). Called by the constructor unless options.manual. */
  Primus.prototype.open = function () {
    if (this.readyState !== states.CLOSED) return this;
    var self = this;
    this.ended = false;
    this.serverClosed = false;
    this.readyState = states.OPENING;
    var socket;
    try {
      socket = new root.WebSocket(this.uri());
    } catch (e) {
      this.readyState = states.CLOSED;
      this.emit('error', e);
      this.lost();
      return this;
    }
    this.socket = socket;
    this.clear('connect');
    this.timers.connect = setTimeout(function () {
      if (self.socket !== socket || self.readyState === states.OPEN) return;
      self.emit('timeout', new Error('connection timed out'));
      self.drop(socket);
    }, this.connectTimeout);
    socket.onopen = function () {
      if (self.socket !== socket) return;
      self.clear('connect');
      var reconnected = self.attempt > 0;
      self.attempt = 0;
      self.readyState = states.OPEN;
      self.heartbeat();
      var queued = self.buffer;
      self.buffer = [];
      for (var i = 0; i < queued.length; i++) self._write(queued[i]);
      if (reconnected) self.emit('reconnected');
      self.emit('open');
    };
    socket.onmessage = function (event) {
      if (self.socket !== socket) return;
      self.receive(event.data);
    };
    socket.onerror = function (event) {
      if (self.socket !== socket) return;
      self.emit('error', event instanceof Error ? event : new Error('websocket error'));
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) return;
      self.drop(socket, event);
    };
    return this;
  };

  Primus.prototype.receive = function (raw) {
    var message;
    try {
      message = JSON.parse(raw);
    } catch (e) {
      this.emit('error', new Error('undecodable frame'));
      return;
    }
    if (typeof message === 'string' && message.indexOf('primus::') === 0) {
      if (message.indexOf('primus::ping::') === 0) {
        this._write('primus::pong::' + message.slice('primus::ping::'.length));
        this.heartbeat();
        return;
      }
      if (message === 'primus::server::close') {
        this.serverClosed = true; // the close that follows is final
        return;
      }
      if (message.indexOf('primus::id::') === 0) {
        this.emit('incoming::id', message.slice('primus::id::'.length));
        return;
      }
    }
    this.emit('data', message, raw);
  };

  // The server pings every pingInterval; silence for longer than pingTimeout means the link is gone.
  Primus.prototype.heartbeat = function () {
    var self = this;
    this.clear('heartbeat');
    if (!this.pingTimeout) return;
    var socket = this.socket;
    this.timers.heartbeat = setTimeout(function () {
      if (self.socket === socket) self.drop(socket);
    }, this.pingTimeout);
  };

  // The socket is gone: final when we or the server ended it, else a reconnect is scheduled.
  Primus.prototype.drop = function (socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.clear('connect');
    this.clear('heartbeat');
    var wasOpen = this.readyState === states.OPEN;
    this.readyState = states.CLOSED;
    try { socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null; socket.close(); } catch (e) { /* already closed */ }
    if (this.ended) return;
    if (this.serverClosed) { this.finish(); return; }
    if (wasOpen) this.emit('close', event);
    this.lost();
  };

  Primus.prototype.lost = function () {
    var b = this.backoff;
    if (this.attempt >= b.retries) {
      this.emit('reconnect failed', new Error('unable to reconnect after ' + this.attempt + ' attempts'));
      this.finish();
      return;
    }
    // Exponential backoff with jitter: each delay is drawn between half and all of the capped exponential value,
    // so clients cut off together (a node restart) do not come back in one burst.
    var ceiling = Math.min(b.max, b.min * Math.pow(b.factor, this.attempt));
    var delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.reconnect(delay);
  };

  Primus.prototype.reconnect = function (delay) {
    var self = this;
    if (this.timers.reconnect || this.ended) return;
    this.attempt++;
    var opts = { attempt: this.attempt, retries: this.backoff.retries, scheduled: delay };
    this.emit('reconnect scheduled', opts);
    this.emit('reconnecting', opts);
    this.timers.reconnect = setTimeout(function () {
      delete self.timers.reconnect;
      if (self.ended || self.readyState !== states.CLOSED) return;
      self.emit('reconnect', opts);
      self.open();
    }, delay);
  };

  Primus.prototype.finish = function () {
    if (this.ended) return;
    this.ended = true;
    this.clearAll();
    this.buffer = [];
    this.emit('end');
  };

  Primus.prototype._write = function (data) {
    if (!this.socket || this.readyState !== states.OPEN) return false;
    this.socket.send(JSON.stringify(data));
    return true;
  };

  /** Sends one JSON value; while offline it waits in the queue (false when the queue is full or the client ended). */
  Primus.prototype.write = function (data) {
    if (this.ended) return false;
    if (this.readyState === states.OPEN) return this._write(data);
    if (this.buffer.length >= this.queueSize) {
      this.emit('error', new Error('offline queue is full (' + this.queueSize + ' messages)'));
      return false;
    }
    this.buffer.push(data);
    return true;
  };

  /** Asks the server for this connection's id. */
  Primus.prototype.id = function (fn) {
    this.once('incoming::id', fn);
    this._write('primus::id::');
    return this;
  };

  /** Closes for good (no reconnect); data, when given, is written first. */
  Primus.prototype.end = function (data) {
    if (data !== undefined) this.write(data);
    var socket = this.socket;
    this.socket = null;
    this.readyState = states.CLOSED;
    if (socket) { try { socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null; socket.close(); } catch (e) { /* closed */ } }
    if (!this.ended) {
      this.ended = true;
      this.clearAll();
      this.buffer = [];
      this.emit('end');
    }
    return this;
  };

  /** Removes the online/offline hooks as well (end() keeps them so a later open() works). */
  Primus.prototype.destroy = function () {
    this.end();
    if (root.removeEventListener && this._online) {
      root.removeEventListener('online', this._online);
      root.removeEventListener('offline', this._offline);
    }
    this.removeAllListeners();
  };

  root.Primus = Primus;
  if (typeof module !== 'undefined' && module.exports) module.exports = Primus;
})(typeof window !== 'undefined' ? window : this);
