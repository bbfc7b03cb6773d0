namespace ChatCluster.Node.Rooms;

/// <summary>What a room does about its existence after comparing its journal with another source of truth.</summary>
public enum RoomExistence
{
    /// <summary>The journal's answer stands.</summary>
    Keep,

    /// <summary>Listed elsewhere but not in this journal: create it (a new epoch).</summary>
    Create,

    /// <summary>In this journal but no longer listed elsewhere: destroy it.</summary>
    Destroy,
}
