using ChatCluster.Messages;

namespace ChatCluster.Node.Api;

/// <summary>ActionHero's <c>roomStatus(room)</c>: <c>{room, members:{id:{id, joinedAt}}, membersCount}</c>.</summary>
public sealed record RoomStatus(string Room, IReadOnlyList<RoomProtocol.RoomMember> Members)
{
    public int MembersCount => Members.Count;

    public string ToJson() => Core.VerbResultJson.RoomStatus(Room, Members);
}
