using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace ChatCluster.Node.Web;

/// <summary>One file read for the <c>file</c> verb.</summary>
public sealed record PublicFileContent(byte[] Bytes, string Mime, DateTimeOffset LastModified);

/// <summary>
/// The node's public folder (<c>chatcluster.web.public-folder</c>) plus the files the node generates at start (the
/// client library, as ActionHero writes it into its public folder). One set of rules (<see cref="PublicPath"/>) for
/// GET /public/&lt;path&gt;, served by ASP.NET Core's static file middleware through this <see cref="IFileProvider"/>,
/// and for the websocket and TCP <c>file</c> verb.
/// </summary>
public sealed class PublicFiles : IFileProvider
{
    private readonly Dictionary<string, GeneratedFile> _generated;
    private readonly FileExtensionContentTypeProvider _types = new();

    public PublicFiles(string root, long maxBytes, IReadOnlyDictionary<string, byte[]> generated)
    {
        Root = PublicPath.RealPath(root) ?? root;
        MaxBytes = maxBytes;
        var now = DateTimeOffset.UtcNow;
        _generated = generated.ToDictionary(g => g.Key, g => new GeneratedFile(g.Key, g.Value, now), StringComparer.Ordinal);
    }

    /// <summary>The public folder's real path.</summary>
    public string Root { get; }

    public long MaxBytes { get; }

    public IContentTypeProvider ContentTypes => _types;

    /// <summary>Looks up a file the way the <c>file</c> verb names it ("javascript/x.js"; no leading '/').</summary>
    public PublicLookup Lookup(string? requested, out IFileInfo? file)
    {
        file = null;
        var relative = PublicPath.Normalize(requested);
        if (relative is not null && _generated.TryGetValue(relative, out var generated))
        {
            // Ours and of known size: always served, whatever the limit for the folder's files.
            file = generated;
            return PublicLookup.Found;
        }
        var found = PublicPath.Resolve(Root, requested, MaxBytes, out var info);
        if (found == PublicLookup.Found) file = new PhysicalFileInfo(info!);
        return found;
    }

    /// <summary>For the <c>file</c> verb: the whole file, its mime type and modification time.</summary>
    public async Task<(PublicLookup Lookup, PublicFileContent? Content)> ReadAsync(string? requested, CancellationToken cancellation = default)
    {
        var found = Lookup(requested, out var file);
        if (found != PublicLookup.Found) return (found, null);
        try
        {
            await using var stream = file!.CreateReadStream();
            using var buffer = new MemoryStream((int)Math.Min(file.Length, MaxBytes));
            await stream.CopyToAsync(buffer, cancellation).ConfigureAwait(false);
            // The file may have grown since it was looked up: the limit holds for what was read.
            if (buffer.Length > Math.Max(MaxBytes, file.Length)) return (PublicLookup.TooLarge, null);
            return (PublicLookup.Found, new PublicFileContent(buffer.ToArray(), MimeOf(file.Name), file.LastModified));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (PublicLookup.NotFound, null); // removed or unreadable between lookup and read
        }
    }

    public string MimeOf(string name) => _types.TryGetContentType(name, out var type) ? type : "application/octet-stream";

    // The static file middleware's subpath is the URL path after the request path: "/javascript/x.js".
    IFileInfo IFileProvider.GetFileInfo(string subpath)
    {
        var requested = subpath.StartsWith('/') ? subpath[1..] : subpath;
        return Lookup(requested, out var file) == PublicLookup.Found ? file! : new NotFoundFileInfo(subpath);
    }

    // No directory listings.
    IDirectoryContents IFileProvider.GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

    IChangeToken IFileProvider.Watch(string filter) => NullChangeToken.Singleton;
}
