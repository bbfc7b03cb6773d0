namespace ChatCluster.Messages.Commands;

/// <summary>ccm's exit codes (pbm-style scripts and preStop hooks test them).</summary>
public static class CommandExitCodes
{
    public const int Ok = 0;
    public const int CommandError = 1;
    public const int Usage = 2;
    public const int NotConnected = 3;
    public const int Timeout = 4;
}
