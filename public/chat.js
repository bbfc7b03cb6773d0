/*
 * The chat page: a name, the rooms with their member counts, join / leave, say, live messages from every kind of
 * client, who is in the room, and reconnecting by itself (also after the server said goodbye). Uses only
 * ActionheroWebsocketClient's public API.
 *
 * Chat has no user names on the wire (a message is from a connection id), so the page says "name: text" and shows
 * the part before ": " as the author. An `nc` user who types `say defaultRoom bob: hi` shows up as bob.
 */
(function () {
  'use strict';

  var ROOMS_EVERY_MS = 5000;    // room list and member counts
  var MEMBERS_EVERY_MS = 3000;  // who is in the open room
  var MAX_MESSAGES = 500;       // per room kept on the page
  var NAME_KEY = 'chatcluster.name';
  var RETRY_MIN_MS = 2000;      // first page reconnect after a server goodbye (a restart takes seconds)...
  var RETRY_MAX_MS = 30000;     // ...doubling up to this, then every 15-30 s for as long as the page is open
  var CONNECT_WAIT_MS = 15000;  // an attempt with no answer and no reconnect of its own by then is over (above the
                                // library's 10 s connect timeout, so a slow open is not cut short)
  var BANNER_OK_MS = 4000;      // how long "Reconnected" stays on screen

  var $ = function (id) { return document.getElementById(id); };
  // positions: the library remembers the last message seen per room and, after a reconnect (to any node), gets what
  // was missed replayed (docs/history.md); 'recovered' says whether that was everything.
  var client = new ActionheroWebsocketClient({ positions: true });
  var state = {
    name: localStorage.getItem(NAME_KEY) || '',
    rooms: [],          // [{name, membersCount}]
    joined: [],         // rooms this page is in
    active: null,       // the room on screen
    logs: {},           // room -> [entry]
    unread: {},         // room -> count
    names: {},          // connection id -> name seen in its messages
    members: [],
    everConnected: false,
  };
  window.chat = { client: client, state: state }; // for the curious (and the tests)

  // ---------- rendering ----------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function colorOf(text) {
    var hash = 0;
    for (var i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
    return 'hsl(' + (Math.abs(hash) % 360) + ', 55%, 52%)';
  }

  function displayName(id) {
    if (id === client.id) return state.name || 'you';
    return state.names[id] || 'guest-' + String(id).slice(0, 4);
  }

  function setStatus(kind, text) {
    var status = $('status');
    status.className = 'status status-' + kind;
    status.dataset.state = kind;
    status.textContent = text;
  }

  function showBanner(text, ok) {
    var banner = $('banner');
    banner.hidden = !text;
    banner.textContent = text || '';
    banner.className = 'banner' + (ok ? ' ok' : '');
  }

  function renderRooms() {
    var list = $('rooms');
    list.textContent = '';
    var names = state.rooms.map(function (r) { return r.name; });
    state.joined.forEach(function (r) { if (names.indexOf(r) < 0) state.rooms.push({ name: r, membersCount: 1 }); });
    state.rooms.slice().sort(function (a, b) { return a.name.localeCompare(b.name); }).forEach(function (room) {
      var joined = state.joined.indexOf(room.name) >= 0;
      var item = el('li', 'room' + (joined ? ' joined' : '') + (room.name === state.active ? ' active' : ''));
      item.dataset.room = room.name;
      item.appendChild(el('span', 'name', room.name));
      if (state.unread[room.name]) item.appendChild(el('span', 'unread', String(state.unread[room.name])));
      // The open room's members are fresher than the last room list.
      var members = room.name === state.active && joined && state.members.length > 0 ? state.members.length : room.membersCount;
      var count = el('span', 'count', String(members));
      count.title = members + (members === 1 ? ' member' : ' members');
      item.appendChild(count);
      if (!joined) {
        var join = el('button', 'join', 'Join');
        join.type = 'button';
        item.appendChild(join);
      }
      item.addEventListener('click', function () { openRoom(room.name); });
      list.appendChild(item);
    });
  }

  function renderMessages() {
    var list = $('messages');
    list.textContent = '';
    var log = state.active ? state.logs[state.active] || [] : [];
    if (!state.active || log.length === 0) {
      list.appendChild(el('li', 'empty', state.active
        ? 'No messages yet in #' + state.active + '. Say hello!'
        : 'Join a room on the left to start chatting. Everyone in it, browsers and nc users alike, sees what you say.'));
    }
    log.forEach(function (entry) { list.appendChild(entry.node); });
    list.scrollTop = list.scrollHeight;
  }

  function renderHead() {
    var joined = state.active && state.joined.indexOf(state.active) >= 0;
    $('room-title').textContent = state.active ? '# ' + state.active : 'Pick a room';
    var room = state.rooms.filter(function (r) { return r.name === state.active; })[0];
    var count = joined ? state.members.length : room ? room.membersCount : 0;
    $('room-count').textContent = state.active ? count + (count === 1 ? ' member' : ' members') : '';
    $('leave').hidden = !joined;
    var canSay = joined && client.state === 'connected';
    $('message').disabled = !canSay;
    $('send').disabled = !canSay;
  }

  function renderMembers() {
    var list = $('members');
    list.textContent = '';
    state.members.slice().sort(function (a, b) { return displayName(a).localeCompare(displayName(b)); }).forEach(function (id) {
      var item = el('li', 'member');
      item.dataset.id = id;
      item.appendChild(el('span', 'dot'));
      item.appendChild(el('span', 'who', displayName(id)));
      if (id === client.id) item.appendChild(el('span', 'you', '(you)'));
      list.appendChild(item);
    });
  }

  function render() { renderRooms(); renderHead(); renderMessages(); renderMembers(); }

  function push(room, node) {
    var log = state.logs[room] || (state.logs[room] = []);
    log.push({ node: node });
    if (log.length > MAX_MESSAGES) log.shift();
    if (room === state.active) {
      var list = $('messages');
      var empty = list.querySelector('.empty');
      if (empty) empty.remove();
      list.appendChild(node);
      if (list.children.length > MAX_MESSAGES) list.firstChild.remove();
      list.scrollTop = list.scrollHeight;
    } else {
      state.unread[room] = (state.unread[room] || 0) + 1;
      renderRooms();
    }
  }

  function notice(room, text) {
    var node = el('li', 'notice', text);
    (state.logs[room] || (state.logs[room] = [])).push({ node: node });
    if (room === state.active) renderMessages();
  }

  // "alice: hi" -> {who: "alice", text: "hi"}; anything else is from the connection's short id.
  function parse(message, from) {
    var match = /^([^:\n]{1,32}): ([\s\S]*)$/.exec(String(message));
    if (match) {
      state.names[from] = match[1];
      return { who: match[1], text: match[2] };
    }
    return { who: displayName(from), text: String(message) };
  }

  function chatLine(payload) {
    var parsed = parse(payload.message, payload.from);
    var mine = payload.from === client.id;
    var node = el('li', 'msg' + (mine ? ' mine' : ''));
    node.dataset.from = payload.from;
    var avatar = el('span', 'avatar', parsed.who.charAt(0).toUpperCase());
    avatar.style.background = colorOf(parsed.who);
    var bubble = el('div', 'bubble');
    var meta = el('div', 'meta');
    meta.appendChild(el('span', 'who', parsed.who));
    meta.appendChild(el('time', null, new Date(payload.sentAt || Date.now()).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
    bubble.appendChild(meta);
    bubble.appendChild(el('div', 'text', parsed.text));
    node.appendChild(avatar);
    node.appendChild(bubble);
    return node;
  }

  // ---------- talking to the node ----------

  function errorOf(reply) {
    if (!reply) return 'no answer';
    if (reply.error) return typeof reply.error === 'string' ? reply.error.replace(/^Error: /, '') : reply.error.statusText || 'request failed';
    return null;
  }

  function refreshRooms() {
    client.action('chatRooms', function (reply) {
      if (reply && reply.rooms) {
        state.rooms = reply.rooms;
        renderRooms();
        renderHead();
      }
    });
  }

  function refreshMembers() {
    var room = state.active;
    if (!room || state.joined.indexOf(room) < 0 || client.state !== 'connected') {
      state.members = [];
      renderMembers();
      return;
    }
    client.roomView(room, function (reply) {
      if (room !== state.active || !reply.data) return;
      state.members = Object.keys(reply.data.members || {});
      renderMembers();
      renderRooms();
      renderHead();
    });
  }

  function openRoom(room) {
    state.active = room;
    state.unread[room] = 0;
    state.members = [];
    if (state.joined.indexOf(room) >= 0) { render(); refreshMembers(); return; }
    render();
    client.roomAdd(room, function (reply) {
      var error = errorOf(reply);
      if (error && error.indexOf('already in this room') < 0) {
        notice(room, 'Could not join: ' + error);
        return;
      }
      state.joined = client.rooms.slice();
      notice(room, 'You joined #' + room + '.');
      refreshRooms();
      refreshMembers();
      render();
      $('message').focus();
    });
  }

  function leaveRoom() {
    var room = state.active;
    if (!room) return;
    client.roomLeave(room, function () {
      state.joined = client.rooms.slice();
      state.members = [];
      notice(room, 'You left #' + room + '.');
      refreshRooms();
      render();
    });
  }

  client.on('say', function (payload) {
    push(payload.room, chatLine(payload));
    if (payload.room === state.active && state.members.indexOf(payload.from) < 0) refreshMembers();
  });

  // A goodbye from the server (primus::server::close) means "do not reconnect" to the client library, and it obeys.
  // A node says it when it is stopped gracefully, most often to be restarted, so the page treats it as "this node is
  // going away" and comes back by itself: its own backoff with jitter between attempts, forever, with a Reconnect
  // button to try at once. `recovery` is the page's state while it does that (null when it is not).
  var recovery = null;   // {attempt, timer, ticker, watchdog, due, rooms}
  var connecting = false; // inside client.connect(): it ends the old socket, whose 'disconnected' is not a goodbye

  // The delay before page attempt `attempt` (1, 2, ...): RETRY_MIN_MS doubling up to RETRY_MAX_MS, drawn between half
  // and all of that so pages cut off by one restart do not all come back in the same instant. random is in [0, 1).
  function retryDelay(attempt, random) {
    var ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, attempt - 1));
    return Math.round(ceiling / 2 + random * ceiling / 2);
  }
  window.chat.retryDelay = retryDelay;

  function goodbyeText(rest) { return 'The server closed the connection (restarting?); ' + rest; }

  function clearRecoveryTimers() {
    clearTimeout(recovery.timer);
    clearInterval(recovery.ticker);
    clearTimeout(recovery.watchdog);
    recovery.timer = recovery.ticker = recovery.watchdog = null;
  }

  function showGoodbye(rest) {
    showBanner(goodbyeText(rest));
    var now = el('button', 'again', 'Reconnect now');
    now.type = 'button';
    now.addEventListener('click', reconnectNow);
    $('banner').appendChild(now);
  }

  function scheduleReconnect() {
    clearRecoveryTimers();
    recovery.attempt++;
    var delay = retryDelay(recovery.attempt, Math.random());
    recovery.due = Date.now() + delay;
    var tick = function () {
      var seconds = Math.max(0, Math.ceil((recovery.due - Date.now()) / 1000));
      showGoodbye('reconnecting in ' + seconds + ' s (attempt ' + recovery.attempt + ')…');
    };
    tick();
    recovery.ticker = setInterval(tick, 1000);
    recovery.timer = setTimeout(reconnectNow, delay);
  }

  function reconnectNow() {
    if (!recovery) return;
    clearRecoveryTimers();
    setStatus('reconnecting', 'Reconnecting…');
    showGoodbye('reconnecting now (attempt ' + Math.max(1, recovery.attempt) + ')…');
    // While the node is down the library's own reconnect loop takes over (its 'reconnecting' events); a node still
    // draining answers with a welcome and a goodbye at once, which ends the attempt without an event: the watchdog
    // then schedules the next one.
    recovery.watchdog = setTimeout(function () {
      if (recovery && client.state === 'disconnected') scheduleReconnect();
    }, CONNECT_WAIT_MS);
    connecting = true;
    try {
      client.connect(function (error) {
        if (error || !recovery) return;
        var rooms = recovery.rooms;
        clearRecoveryTimers();
        recovery = null;
        // The library re-joined client.rooms; a room it did not get back is joined again here.
        rooms.forEach(function (r) { if (client.rooms.indexOf(r) < 0) client.roomAdd(r, function () { state.joined = client.rooms.slice(); render(); }); });
        backOnline(rooms);
      });
    } finally {
      connecting = false;
    }
  }

  function backOnline(rooms) {
    state.joined = client.rooms.slice();
    setStatus('connected', 'Connected');
    var names = rooms.map(function (r) { return '#' + r; }).join(', ');
    showBanner('Reconnected' + (names ? '; back in ' + names : '') + '.', true);
    rooms.forEach(function (r) { notice(r, 'Reconnected.'); });
    setTimeout(function () { if (client.state === 'connected' && !recovery) showBanner(''); }, BANNER_OK_MS);
    refreshRooms();
    refreshMembers();
    render();
  }

  client.on('reconnecting', function (opts) {
    var seconds = opts && opts.scheduled !== undefined ? (opts.scheduled / 1000).toFixed(1) : '?';
    var attempt = opts ? opts.attempt : 1;
    setStatus('reconnecting', 'Reconnecting…');
    if (recovery) showGoodbye('the node is not back yet, trying again in ' + seconds + ' s (attempt ' + attempt + ')…');
    else showBanner('Connection lost. Reconnecting in ' + seconds + ' s (attempt ' + attempt + ')…');
    renderHead();
  });

  // A re-join from the last position seen: say how it went, in the room.
  client.on('recovered', function (r) {
    if (r.recovered) {
      if (r.replayed > 0) notice(r.room, r.replayed + (r.replayed === 1 ? ' missed message recovered.' : ' missed messages recovered.'));
    } else {
      notice(r.room, 'Some messages may be missing (the room could not replay everything said while you were away).');
    }
  });

  // A dropped connection came back by the library's own reconnect (rooms already re-joined).
  client.on('reconnect', function () { backOnline(client.rooms.slice()); });

  // The connection ended and the library will not reconnect: a goodbye from the server (a node stopped gracefully,
  // a kick, a quit). The page says so and reconnects by itself.
  client.on('disconnected', function () {
    if (client.state === 'disconnected' && !connecting) {
      setStatus('disconnected', 'Disconnected');
      if (!recovery) recovery = { attempt: 0, rooms: client.rooms.length > 0 ? client.rooms.slice() : state.joined.slice() };
      scheduleReconnect();
    }
    renderHead();
  });

  // ---------- the page's controls ----------

  $('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('message');
    var text = input.value.trim();
    if (!text || !state.active) return;
    client.say(state.active, state.name + ': ' + text, function (reply) {
      var error = errorOf(reply);
      if (error) notice(state.active, 'Not sent: ' + error);
    });
    input.value = '';
  });

  $('leave').addEventListener('click', leaveRoom);

  $('new-room').addEventListener('submit', function (event) {
    event.preventDefault();
    var name = $('new-room-name').value.trim();
    if (!name) return;
    client.action('createChatRoom', { name: name }, function (reply) {
      var error = errorOf(reply);
      $('rooms-error').hidden = !error;
      $('rooms-error').textContent = error || '';
      if (error) return;
      $('new-room-name').value = '';
      openRoom(name);
    });
  });

  function askName() {
    var dialog = $('name-dialog');
    $('name-input').value = state.name;
    if (!dialog.open) dialog.showModal();
    $('name-input').focus();
  }

  $('name-form').addEventListener('submit', function () {
    var name = $('name-input').value.trim().replace(/:/g, '').slice(0, 32);
    if (!name) return;
    state.name = name;
    localStorage.setItem(NAME_KEY, name);
    $('me').textContent = name;
    renderMembers();
  });
  $('me').addEventListener('click', askName);

  // ---------- start ----------

  $('me').textContent = state.name || 'Pick a name';
  if (!state.name) askName();
  refreshRooms();
  client.connect(function (error) {
    if (error) { setStatus('disconnected', 'Could not connect'); return; }
    state.everConnected = true;
    setStatus('connected', 'Connected');
    refreshRooms();
    var start = new URLSearchParams(location.search).get('room');
    if (start) openRoom(start);
    render();
  });
  setInterval(refreshRooms, ROOMS_EVERY_MS);
  setInterval(refreshMembers, MEMBERS_EVERY_MS);
})();
