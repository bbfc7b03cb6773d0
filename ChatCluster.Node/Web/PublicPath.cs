namespace ChatCluster.Node.Web;

/// <summary>What asking for one public file found.</summary>
public enum PublicLookup
{
    Found,
    /// <summary>Missing, a folder, outside the public folder (<c>..</c>, absolute, a symlink that leads out), or hidden.</summary>
    NotFound,
    /// <summary>A file larger than <c>chatcluster.web.max-file-bytes</c>.</summary>
    TooLarge,
}

/// <summary>
/// The public folder's path rules, as plain functions (ActionHero 29.3.5 confines its file server the same way):
/// a request names a relative path with '/' separators; <c>..</c> segments, absolute paths, backslashes, NUL and
/// dot-files are refused before the disk is touched, and the file found is accepted only if its real path (every
/// symlink on the way resolved) is still inside the public folder's real path.
/// </summary>
public static class PublicPath
{
    // Symlink chains longer than this are refused (Linux gives up at 40 as well: ELOOP).
    private const int MaxLinkHops = 40;

    /// <summary>
    /// The request as a clean relative path ("a/b.js"), or null when it is refused. A leading '/' is refused too
    /// (ActionHero's `file` verb answers "/a.html" with not found); callers that get URL paths strip it first.
    /// </summary>
    public static string? Normalize(string? requested)
    {
        if (string.IsNullOrEmpty(requested)) return null;
        if (requested[0] == '/' || requested.Contains('\\') || requested.Contains('\0') || requested.Contains(':')) return null;
        var kept = new List<string>();
        foreach (var segment in requested.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..") return null;
            if (segment[0] == '.') return null; // .git, .env and friends are never public
            kept.Add(segment);
        }
        return kept.Count == 0 ? null : string.Join('/', kept);
    }

    /// <summary>Looks the request up under <paramref name="rootRealPath"/> (itself already real, see <see cref="RealPath"/>).</summary>
    public static PublicLookup Resolve(string rootRealPath, string? requested, long maxBytes, out FileInfo? file)
    {
        file = null;
        var relative = Normalize(requested);
        if (relative is null) return PublicLookup.NotFound;
        var real = RealPath(Path.Combine(rootRealPath, relative));
        if (real is null || !IsInside(rootRealPath, real)) return PublicLookup.NotFound;
        var info = new FileInfo(real);
        if (!info.Exists) return PublicLookup.NotFound;
        if (info.Length > maxBytes) return PublicLookup.TooLarge;
        file = info;
        return PublicLookup.Found;
    }

    public static bool IsInside(string rootRealPath, string realPath) =>
        realPath.StartsWith(rootRealPath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The absolute path with every symlink along it resolved (POSIX realpath); null for a loop or an unreadable link.</summary>
    public static string? RealPath(string path)
    {
        var hops = 0;
        return RealPath(Path.GetFullPath(path), ref hops);
    }

    private static string? RealPath(string fullPath, ref int hops)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > MaxLinkHops) return null;
            // A relative target is relative to the folder holding the link; the target may hold links of its own.
            var resolved = RealPath(Path.GetFullPath(target, current), ref hops);
            if (resolved is null) return null;
            current = resolved;
        }
        return current;
    }
}
