namespace ChatCluster.Transports.Limits;

/// <summary>Room-name patterns of the config: <c>*</c> matches any run of characters, everything else itself.</summary>
public static class RoomPattern
{
    public static bool Matches(string pattern, string text)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1) return pattern == text;
        if (!text.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var position = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = text.IndexOf(parts[i], position, StringComparison.Ordinal);
            if (found < 0) return false;
            position = found + parts[i].Length;
        }
        var last = parts[^1];
        return text.Length - position >= last.Length && text.EndsWith(last, StringComparison.Ordinal);
    }
}
