namespace ChatCluster.Messages;

/// <summary>
/// Every error text a client or a caller of the server API can see, exactly as ActionHero
/// words it (spec section 4, config/errors). No error text is built anywhere else.
/// </summary>
public static class ChatErrors
{
    public const string RoomAndMessageRequired = "both room and message are required";
    public const string RoomHasBeenDeleted = "this room has been deleted";
    public const string RoomNotExist = "room does not exist";
    public const string RoomExists = "room exists";
    public const string RoomRequired = "a room is required";
    public const string TooManyPendingActions = "you have too many pending requests";
    public const string UnknownAction = "unknown action or invalid apiVersion";
    public const string ServerShuttingDown = "the server is shutting down";
    public const string FileNotFound = "that file is not found";
    public const string FileNotFoundV20 = "That file is not found";
    public const string FileNotProvided = "file is a required param to send a file";

    /// <summary>ActionHero 29 answers the websocket <c>documentation</c> verb with this TypeError (its docs were removed).</summary>
    public const string DocumentationUnavailable = "TypeError: Cannot read properties of undefined (reading 'documentation')";

    public static string NotInRoom(string room) => $"connection not in this room ({room})";
    public static string AlreadyInRoom(string room) => $"connection already in this room ({room})";
    public static string VerbNotFound(string verb) => $"verb not found or not allowed ({verb})";
    public static string MissingParam(string param) => $"{param} is a required parameter for this action";

    /// <summary>
    /// ActionHero's TCP text swaps its placeholders ("{maxLength} received/{receivedLength} max");
    /// its own test pins the swapped text, so we keep it.
    /// </summary>
    public static string DataLengthTooLarge(long maxLength, long receivedLength) =>
        $"data length is too big ({maxLength} received/{receivedLength} max)";

    /// <summary>A cluster RPC (Redis <c>do</c>) got no <c>doResponse</c> within chatcluster.redis.rpc-timeout (ActionHero's text).</summary>
    public const string RpcTimeout = "RPC Timeout";

    // Errors of our own (ActionHero has no such limit or situation).
    public const string ServerBusy = "the server is busy, try again";
    public const string RoomUnavailable = "the room is temporarily unavailable, try again";
    public const string ConnectionNotFound = "connection not found";
    public const string InvalidCredentials = "invalid credentials";
    public const string AuthenticationRequired = "you must authenticate to join this room";
    public const string InternalError = "internal error";
    /// <summary>The `file` verb for a file larger than chatcluster.web.max-file-bytes (ActionHero has no limit).</summary>
    public static string FileTooLarge(long maxBytes) => $"that file is too large (the limit is {maxBytes} bytes)";
    public const string RpcUnavailable = "RPC unavailable: not connected to the redis pub/sub server";

    // Positions and history (docs/history.md): a bad position or limit is refused; the connection stays usable.
    public const string PositionNotObject = "since must be an object {\"offset\": number, \"epoch\": string}";
    public const string PositionOffsetInvalid = "since.offset must be a whole number >= 0";
    public const string PositionEpochInvalid = "since.epoch must be a room epoch (a string of digits, as the server sent it)";
    public const string PositionsFlagInvalid = "positions must be true or false";
    public const string HistoryLimitInvalid = "limit must be a whole number >= 1";
    public static string PositionInFuture(long offset, long last) => $"since.offset {offset} is ahead of the room (its last offset is {last})";

    // Limits (chatcluster.limits): admission, timeouts, rate limits.
    public const string TooManyConnections = "the server has too many connections, try again later";
    public const string TooManyConnectionsFromAddress = "too many connections from your address, try again later";
    public const string SayRateLimited = "say rate limit exceeded, slow down";
    public const string RateLimitDisconnect = "too many requests over the rate limit, disconnecting";
    public static string FirstRequestTimeout(double seconds) => $"no request within {seconds:0.###} s of connecting, disconnecting";

    /// <summary>
    /// A JSON string escape that names half of a UTF-16 surrogate pair (<c>\ud800</c> alone). JavaScript keeps such
    /// strings, .NET strings from JSON cannot; we refuse the request instead of guessing a replacement.
    /// </summary>
    public const string JsonLoneSurrogate = "invalid JSON: a \\u escape names a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text";

    /// <summary>A binary websocket message larger than chatcluster.websocket.binary-echo-max-bytes (ActionHero would echo it as a Buffer).</summary>
    public static string BinaryMessageRefused(long bytes) => $"binary messages are not supported (received {bytes} bytes); send JSON text";

    /// <summary>HTTP input Kestrel refuses (an overflowing chunk size, too many form fields, a truncated body).</summary>
    public const string MalformedHttpRequest = "malformed HTTP request";

    public static string InvalidJsonBody(string detail) => "invalid JSON body: " + detail;

    public static string RequestBodyTooLarge(long maxBytes) => $"request body is larger than {maxBytes} bytes";

    /// <summary>An HTTP method the action endpoint does not run actions for (OPTIONS is answered, never run).</summary>
    public const string MethodNotAllowed = "method not allowed: actions run on GET, POST, PUT, PATCH and DELETE";

    /// <summary>Destroying a room, or creating one that matches chatcluster.auth.protected-rooms, needs a user listed in chatcluster.auth.admins.</summary>
    public const string AdminRequired = "you must authenticate as an admin to do this";

    public static string RoomsPerConnectionExceeded(int max) => $"this connection may create at most {max} rooms";

    public static string RoomsPerMinuteExceeded(int max) => $"too many rooms created from this address: at most {max} per minute";

    public static string RoomLimitReached(int max) => $"the cluster has reached its limit of {max} rooms";

    /// <summary>Failed authentications slow the next ones down; an attempt that would wait too long is refused at once.</summary>
    public const string TooManyAuthenticationAttempts = "too many authentication attempts, try again later";

    /// <summary>A websocket upgrade whose Origin is not in chatcluster.websocket.allowed-origins (HTTP 403).</summary>
    public const string OriginNotAllowed = "origin not allowed";
    // ccm, the command listener (chatcluster.cmd): answers to the operator's client, never to chat clients.
    public const string CmdNotAuthorized = "not authorized: wrong or missing token (chatcluster.cmd.token)";
    public const string CmdTooManySessions = "too many ccm sessions (chatcluster.cmd.max-sessions); try again later";
    public const string CmdHelloExpected = "the first frame must be a hello";
    public const string CmdBusy = "a command is already running in this session";
    public const string CmdTimedOut = "the command did not finish in time (chatcluster.cmd.command-timeout)";
    public static string CmdLineTooLong(int max) => $"frame longer than {max} bytes (chatcluster.cmd.max-line-bytes)";
    public static string CmdBadFrame(string why) => $"bad frame: {why}";
    public static string CmdUnknownCommand(string palette, string verb) => $"unknown command: {palette} {verb}";
    public static string CmdReadOnly(string palette, string verb) => $"{palette} {verb} changes the cluster and this node is read-only (chatcluster.cmd.read-only)";
    public static string CmdMissingSwitch(string name) => $"missing mandatory switch --{name}";
    public static string CmdUnknownSwitch(string name) => $"unknown switch --{name}";
    public static string CmdBadValue(string name, string value, string expected) => $"--{name}: {value} is not {expected}";
    public static string CmdNoSuchMember(string address) => $"no cluster member at {address}";
}
