using ChatCluster.Messages;
using ChatCluster.Node.Rooms;

namespace ChatCluster.Tests.Unit;

/// <summary>A room's existence decisions as tables: what the journal says against another source of truth.</summary>
public sealed class RoomStateTests
{
    private static RoomState Room(bool exists)
    {
        var s = new RoomState("r");
        if (exists) s.Apply(new RoomEvents.RoomCreated("r", 1, 1));
        return s;
    }

    public static TheoryData<string, bool, bool?, bool, RoomExistence> ResolveCases => new()
    {
        // name, exists in journal, listed in registry (null: not readable), journal shared, decision
        { "moved: listed, no journal state", false, true, false, RoomExistence.Create },
        { "moved with a shared journal that lost nothing: still recreated", false, true, true, RoomExistence.Create },
        { "destroyed elsewhere after this journal last saw it", true, false, false, RoomExistence.Destroy },
        { "shared journal is the truth: registry only lags", true, false, true, RoomExistence.Keep },
        { "both say it exists", true, true, false, RoomExistence.Keep },
        { "neither knows it", false, false, false, RoomExistence.Keep },
        { "registry unreadable: trust the journal (exists)", true, null, false, RoomExistence.Keep },
        { "registry unreadable: trust the journal (missing)", false, null, false, RoomExistence.Keep },
    };

    [Theory]
    [MemberData(nameof(ResolveCases))]
    public void Resolve_should_settle_existence_against_the_registry(string name, bool exists, bool? listed, bool journalIsShared, RoomExistence expected)
    {
        Assert.True(expected == Room(exists).Resolve(listed, journalIsShared), name);
    }

    public static TheoryData<string, bool, bool?, RoomExistence> ReconcileCases => new()
    {
        // name, exists in journal, listed in the shared store (null: cannot answer), decision
        { "created by an ActionHero node: adopted", false, true, RoomExistence.Create },
        { "destroyed by an ActionHero node: dropped", true, false, RoomExistence.Destroy },
        { "store and journal agree it exists", true, true, RoomExistence.Keep },
        { "store and journal agree it does not", false, false, RoomExistence.Keep },
        { "store unreachable or lost its data: journal stands (exists)", true, null, RoomExistence.Keep },
        { "store unreachable or lost its data: journal stands (missing)", false, null, RoomExistence.Keep },
    };

    [Theory]
    [MemberData(nameof(ReconcileCases))]
    public void Reconcile_should_follow_the_shared_store_when_it_answers(string name, bool exists, bool? listed, RoomExistence expected)
    {
        Assert.True(expected == Room(exists).Reconcile(listed), name);
    }
}
