namespace ChatCluster.Transports;

/// <summary>
/// ActionHero 20's <c>parseRequest</c> for one TCP line: split on single spaces (runs of spaces give empty
/// words, so <c>say r a   b</c> keeps its spaces), the first word is the verb. Whether the verb is a verb
/// or an action (and whether the line is a JSON action call) is decided by the connection, which owns the
/// sticky params.
/// </summary>
public static class TcpRequestParser
{
    public static ClientRequest Parse(string line)
    {
        var words = line.Split(' ');
        var args = new string?[words.Length - 1];
        for (var i = 1; i < words.Length; i++) args[i - 1] = words[i];
        return new ClientRequest(words[0], args, RawLine: line);
    }
}
