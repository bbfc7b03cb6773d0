namespace ChatCluster.Tests.Support;

/// <summary>
/// What a passing test saw that someone should look at (a fault it tolerated, as a client would): appended to the file
/// named by <c>CHATCLUSTER_TEST_NOTICES</c>, which <c>.ci/run</c> prints after the suite. xUnit shows a passing test's
/// own output to nobody, so without this a tolerated fault would never reach a reader. Nothing is written when the
/// variable is not set; the file is bounded.
/// </summary>
public static class TestNotices
{
    private const long MaxBytes = 1 << 20;
    private static readonly Lock Gate = new();

    public static void Write(string test, string text)
    {
        var path = Environment.GetEnvironmentVariable("CHATCLUSTER_TEST_NOTICES");
        if (string.IsNullOrEmpty(path)) return;
        lock (Gate)
        {
            var file = new FileInfo(path);
            if (file.Exists && file.Length > MaxBytes) return;
            File.AppendAllText(path, $"--- {DateTime.UtcNow:HH:mm:ss.fff} {test}\n{text}\n");
        }
    }
}
