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
    public const string RpcUnavailable = "RPC unavailable: not connected to the redis pub/sub server";

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
