using Akka.Configuration;

namespace ChatCluster.Node.Actions;

/// <summary><c>chatcluster.auth.authenticate</c>: how failed authentications slow down the next attempts (see <see cref="AuthThrottle"/>).</summary>
public sealed record AuthThrottleSettings(TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan MaxWait, TimeSpan ForgetAfter, int MaxTracked)
{
    /// <summary>No slow-down at all (for code that builds settings by hand).</summary>
    public static readonly AuthThrottleSettings Off = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.MaxValue, TimeSpan.Zero, int.MaxValue);

    public static AuthThrottleSettings Create(Config root)
    {
        const string p = "chatcluster.auth.authenticate.";
        var settings = new AuthThrottleSettings(
            root.GetTimeSpan(p + "first-delay"), root.GetTimeSpan(p + "max-delay"), root.GetTimeSpan(p + "max-wait"),
            root.GetTimeSpan(p + "forget-after"), AuthSettings.Positive(root, p + "max-tracked"));
        if (settings.FirstDelay < TimeSpan.Zero) throw new ConfigurationException($"{p}first-delay must not be negative, was {settings.FirstDelay}");
        if (settings.MaxDelay < settings.FirstDelay)
            throw new ConfigurationException($"{p}max-delay ({settings.MaxDelay}) must be at least first-delay ({settings.FirstDelay})");
        if (settings.MaxWait < settings.MaxDelay)
            throw new ConfigurationException($"{p}max-wait ({settings.MaxWait}) must be at least max-delay ({settings.MaxDelay}), or every delayed attempt is refused");
        if (settings.ForgetAfter <= TimeSpan.Zero) throw new ConfigurationException($"{p}forget-after must be positive, was {settings.ForgetAfter}");
        return settings;
    }
}
