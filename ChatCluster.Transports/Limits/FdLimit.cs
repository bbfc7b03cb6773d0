namespace ChatCluster.Transports.Limits;

/// <summary>The process's open-file limit (what <c>ulimit -n</c> set), read from <c>/proc/self/limits</c>.</summary>
public static class FdLimit
{
    /// <summary>The soft "Max open files" limit; null where /proc is not there or says "unlimited".</summary>
    public static long? Current()
    {
        const string path = "/proc/self/limits";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
            if (line.StartsWith("Max open files", StringComparison.Ordinal)) return ParseSoftLimit(line);
        return null;
    }

    /// <summary>The soft limit of a <c>/proc/self/limits</c> line: the first column after the name.</summary>
    public static long? ParseSoftLimit(string line)
    {
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && long.TryParse(fields[0], out var soft) ? soft : null;
    }

    /// <summary>
    /// Null when <paramref name="maxConnections"/> plus <paramref name="headroom"/> fits under <paramref name="fdLimit"/>,
    /// else the message a node refuses to start with.
    /// </summary>
    public static string? Check(long? fdLimit, int maxConnections, int headroom)
    {
        if (fdLimit is null) return null;
        var needed = (long)maxConnections + headroom;
        if (needed <= fdLimit) return null;
        return $"chatcluster.limits.max-connections ({maxConnections}) + chatcluster.limits.fd-headroom ({headroom}) = {needed} "
            + $"exceeds this process's open-file limit (ulimit -n = {fdLimit}): at the limit accept() fails and the runtime "
            + $"cannot open files. Lower max-connections to at most {Math.Max(0, fdLimit.Value - headroom)}, or raise the limit "
            + "(ulimit -n, systemd LimitNOFILE).";
    }
}
