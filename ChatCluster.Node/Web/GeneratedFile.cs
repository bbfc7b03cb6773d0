using Microsoft.Extensions.FileProviders;

namespace ChatCluster.Node.Web;

/// <summary>A file the node makes at start (the client library), served from memory like a file of the public folder.</summary>
internal sealed class GeneratedFile(string path, byte[] bytes, DateTimeOffset lastModified) : IFileInfo
{
    public bool Exists => true;

    public long Length => bytes.Length;

    public string? PhysicalPath => null;

    public string Name => Path.GetFileName(path);

    public DateTimeOffset LastModified => lastModified;

    public bool IsDirectory => false;

    public Stream CreateReadStream() => new MemoryStream(bytes, writable: false);
}
