namespace ChatCluster.Transports.Limits;

public enum AdmissionVerdict : byte
{
    Admit,
    /// <summary>The node holds <c>max-connections</c> already.</summary>
    NodeFull,
    /// <summary>This remote address holds <c>max-connections-per-address</c> already.</summary>
    AddressFull,
}

/// <summary>Whether one more connection may open, given what is open now. A per-address limit of 0 means none.</summary>
public static class AdmissionRule
{
    public static AdmissionVerdict Decide(int openOnNode, int openFromAddress, int maxConnections, int maxPerAddress)
    {
        if (openOnNode >= maxConnections) return AdmissionVerdict.NodeFull;
        if (maxPerAddress > 0 && openFromAddress >= maxPerAddress) return AdmissionVerdict.AddressFull;
        return AdmissionVerdict.Admit;
    }
}
