/*
 * ActionheroWebsocketClient for ChatCluster (written for ChatCluster; the public API and events of ActionHero 29's
 * browser client). Needs the Primus client above it in the same file.
 *
 *   var client = new ActionheroWebsocketClient();            // or ({ url: 'http://host:8080' })
 *   client.on('say', function (message) { ... });
 *   client.connect(function (error, details) { client.roomAdd('defaultRoom', function () { client.say('defaultRoom', 'hi'); }); });
 *
 * Positions and recovery (ChatCluster's extension, docs/history.md), off unless asked for with { positions: true }:
 * every room is joined with positions, the client remembers the last offset and epoch it saw per room
 * (client.positions), and re-joins after a reconnect from there: the server replays what was missed (ordinary 'say'
 * events, a copy already seen is dropped) and the client emits 'recovered' with { room, recovered, replayed, epoch,
 * offset } (recovered false: some messages may be missing).
 *
 * Differences from ActionHero's client, on purpose: every client object has its own listeners (ActionHero's share one
 * table per page); `reconnect` fires when the connection is back (rooms re-joined), not when an attempt starts;
 * the default url is the origin the script was loaded from, so a page on another origin needs no options.
 */
(function (root) {
  'use strict';

  var Primus = root.Primus;
  var DEFAULTS = %%DEFAULTS%%;
  var script = root.document && root.document.currentScript;
  var scriptOrigin = script && script.src ? new URL(script.src, root.location.href).origin : null;

  function copy(source) {
    var target = {};
    for (var key in source) if (Object.prototype.hasOwnProperty.call(source, key)) target[key] = source[key];
    return target;
  }

  function ActionheroWebsocketClient(options, client) {
    if (!(this instanceof ActionheroWebsocketClient)) return new ActionheroWebsocketClient(options, client);
    this._events = {}; // per instance
    this.options = copy(DEFAULTS);
    if (!this.options.url) this.options.url = scriptOrigin || (root.location ? root.location.origin : '');
    options = options || {};
    for (var key in options) if (Object.prototype.hasOwnProperty.call(options, key)) this.options[key] = options[key];
    this.callbacks = {};
    this.id = null;
    this.fingerprint = null;
    this.rooms = [];
    this.positions = {}; // room -> { offset, epoch } of the last message seen (options.positions only)
    this.state = 'disconnected';
    this.messageId = 0;
    this.welcomeMessage = null;
    this.everConnected = false;
    if (client) {
      this.client = client;
      this.externalClient = true;
    }
  }
  ActionheroWebsocketClient.prototype = Object.create(Primus.EventEmitter.prototype);
  ActionheroWebsocketClient.prototype.constructor = ActionheroWebsocketClient;

  ActionheroWebsocketClient.prototype.connect = function (callback) {
    var self = this;
    if (this.client && !this.externalClient) {
      this.client.destroy();
      this.client = null;
    }
    if (!this.client) {
      var primusOptions = copy(this.options);
      primusOptions.manual = true;
      this.client = new Primus(this.urlWithSession(), primusOptions);
    } else {
      this.client.end();
      this.client.removeAllListeners();
    }
    var first = true;
    this.client.on('open', function () {
      self.configure(function (details) {
        self.state = 'connected';
        var reconnected = self.everConnected;
        self.everConnected = true;
        if (reconnected && !first) self.emit('reconnect', details);
        self.emit('connected');
        if (first && typeof callback === 'function') callback(null, details);
        first = false;
      });
    });
    this.client.on('error', function (error) { self.emit('error', error); });
    this.client.on('reconnecting', function (opts) {
      self.state = 'reconnecting';
      self.emit('reconnecting', opts);
      self.emit('disconnected');
    });
    this.client.on('timeout', function () {
      self.state = 'timeout';
      self.emit('timeout');
    });
    this.client.on('end', function () {
      if (self.state !== 'disconnected') {
        self.state = 'disconnected';
        self.emit('disconnected');
      }
    });
    this.client.on('data', function (message) { self.handleMessage(message); });
    this.client.open();
  };

  /** The url, with the session cookie (options.cookieKey) as a query parameter when the page has it. */
  ActionheroWebsocketClient.prototype.urlWithSession = function () {
    var url = this.options.url;
    var cookie = this.getCookie(this.options.cookieKey);
    if (cookie && cookie.length > 0) url += (url.indexOf('?') >= 0 ? '&' : '?') + encodeURIComponent(this.options.cookieKey) + '=' + encodeURIComponent(cookie);
    return url;
  };

  ActionheroWebsocketClient.prototype.getCookie = function (name) {
    if (!root.document || !root.document.cookie || !name) return null;
    var parts = root.document.cookie.split(';');
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].replace(/^\s+/, '');
      if (part.indexOf(name + '=') === 0) return decodeURIComponent(part.slice(name.length + 1));
    }
    return null;
  };

  /** Re-joins the rooms this client was in (after a reconnect), then refreshes id, fingerprint and rooms. */
  ActionheroWebsocketClient.prototype.configure = function (callback) {
    var self = this;
    for (var i = 0; i < this.rooms.length; i++) this.send(this.joinFrame(this.rooms[i]), this.recoveryCallback(this.rooms[i]));
    this.detailsView(function (details) {
      if (details && details.data) {
        self.id = details.data.id;
        self.fingerprint = details.data.fingerprint;
        self.rooms = details.data.rooms || [];
      }
      if (typeof callback === 'function') callback(details);
    });
  };

  /** roomAdd's frame: ActionHero's, plus positions or the last position seen when options.positions is on. */
  ActionheroWebsocketClient.prototype.joinFrame = function (room) {
    var frame = { event: 'roomAdd', room: room };
    if (!this.options.positions) return frame;
    var last = this.positions[room];
    if (last) frame.since = { offset: last.offset, epoch: last.epoch };
    else frame.positions = true;
    return frame;
  };

  /** After a join with positions: remember where the room is, and tell the page whether anything was lost. */
  ActionheroWebsocketClient.prototype.recoveryCallback = function (room) {
    var self = this;
    if (!this.options.positions) return undefined;
    return function (reply) {
      var data = reply && reply.data;
      if (!data || typeof data !== 'object' || data.epoch === undefined) return;
      var last = self.positions[room];
      // A new epoch: the room's history restarted; the position is where it is now.
      if (!last || last.epoch !== data.epoch || last.offset < data.offset && data.recovered === false) {
        self.positions[room] = { offset: data.offset, epoch: data.epoch };
      }
      if (data.recovered !== undefined) {
        self.emit('recovered', { room: room, recovered: data.recovered, replayed: data.replayed, epoch: data.epoch, offset: data.offset });
      }
    };
  };

  // A chat message with a position: false when it is a copy of one already seen (a replay that overlaps live ones).
  ActionheroWebsocketClient.prototype.track = function (message) {
    if (message.offset === undefined || message.epoch === undefined) return true;
    var last = this.positions[message.room];
    if (last && last.epoch === message.epoch && message.offset <= last.offset) return false;
    this.positions[message.room] = { offset: message.offset, epoch: message.epoch };
    return true;
  };

  ActionheroWebsocketClient.prototype.send = function (args, callback) {
    this.messageId++;
    var counter = this.messageId;
    if (args.params) args.messageId = args.params.messageId || args.messageId || counter;
    else args.messageId = args.messageId || counter;
    if (typeof callback === 'function') this.callbacks[args.messageId] = callback;
    if (!this.client) throw new Error('call connect() first');
    this.client.write(args);
  };

  ActionheroWebsocketClient.prototype.handleMessage = function (message) {
    this.emit('message', message);
    if (!message || typeof message !== 'object') return;
    if (message.context === 'response') {
      var callback = this.callbacks[message.messageId];
      if (typeof callback === 'function') {
        delete this.callbacks[message.messageId];
        callback(message);
      }
    } else if (message.context === 'user') {
      if (this.track(message)) this.emit('say', message);
    } else if (message.context === 'alert') {
      this.emit('alert', message);
    } else if (message.welcome && message.context === 'api') {
      this.welcomeMessage = message.welcome;
      this.emit('welcome', message);
    } else if (message.context === 'api') {
      this.emit('api', message);
    }
  };

  /** Runs an action: over the websocket when connected, else over HTTP (actionWeb). */
  ActionheroWebsocketClient.prototype.action = function (name, params, callback) {
    if (typeof params === 'function' && callback === undefined) { callback = params; params = null; }
    params = params || {};
    params.action = name;
    if (this.state !== 'connected') this.actionWeb(params, callback);
    else this.send({ event: 'action', params: params }, callback);
  };

  /** An action over HTTP: options.url + options.apiPath + ?action=name, JSON body (GET: params in the query). */
  ActionheroWebsocketClient.prototype.actionWeb = function (params, callback) {
    var request = new root.XMLHttpRequest();
    var method = (params.httpMethod || 'POST').toUpperCase();
    var url = this.options.url + this.options.apiPath + '?action=' + encodeURIComponent(params.action);
    if (method === 'GET') {
      for (var key in params) {
        if (key === 'action' || key === 'httpMethod' || !Object.prototype.hasOwnProperty.call(params, key)) continue;
        url += '&' + encodeURIComponent(key) + '=' + encodeURIComponent(params[key]);
      }
    }
    request.onreadystatechange = function () {
      if (request.readyState !== 4) return;
      var response;
      if (request.status === 200) {
        try { response = JSON.parse(request.responseText); } catch (e) { response = { error: { statusText: 'invalid JSON', responseText: request.responseText } }; }
      } else {
        response = { error: { statusText: request.statusText, responseText: request.responseText } };
      }
      if (typeof callback === 'function') callback(response);
    };
    request.open(method, url, true);
    request.setRequestHeader('Content-Type', 'application/json');
    request.send(JSON.stringify(params));
  };

  ActionheroWebsocketClient.prototype.say = function (room, message, callback) {
    this.send({ event: 'say', room: room, message: message }, callback);
  };

  ActionheroWebsocketClient.prototype.file = function (file, callback) {
    this.send({ event: 'file', file: file }, callback);
  };

  ActionheroWebsocketClient.prototype.detailsView = function (callback) {
    this.send({ event: 'detailsView' }, callback);
  };

  ActionheroWebsocketClient.prototype.roomView = function (room, callback) {
    this.send({ event: 'roomView', room: room }, callback);
  };

  ActionheroWebsocketClient.prototype.roomAdd = function (room, callback) {
    var self = this;
    var recovery = this.recoveryCallback(room);
    this.send(this.joinFrame(room), function (reply) {
      if (recovery) recovery(reply);
      self.configure(function () { if (typeof callback === 'function') callback(reply); });
    });
  };

  ActionheroWebsocketClient.prototype.roomLeave = function (room, callback) {
    var self = this;
    var index = this.rooms.indexOf(room);
    if (index >= 0) this.rooms.splice(index, 1);
    delete this.positions[room]; // a room left on purpose is joined afresh later
    this.send({ event: 'roomLeave', room: room }, function (reply) {
      self.configure(function () { if (typeof callback === 'function') callback(reply); });
    });
  };

  ActionheroWebsocketClient.prototype.documentation = function (callback) {
    this.send({ event: 'documentation' }, callback);
  };

  ActionheroWebsocketClient.prototype.disconnect = function () {
    this.state = 'disconnected';
    if (this.client) this.client.end();
    this.emit('disconnected');
  };

  root.ActionheroWebsocketClient = ActionheroWebsocketClient;
  if (typeof exports !== 'undefined' && typeof module !== 'undefined') module.exports = ActionheroWebsocketClient;
})(typeof window !== 'undefined' ? window : this);
