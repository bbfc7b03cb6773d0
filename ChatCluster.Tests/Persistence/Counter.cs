using Akka.Actor;
using Akka.Persistence;

namespace ChatCluster.Tests.Persistence;

/// <summary>The counter's state; <paramref name="RecoveredFromSnapshotAt"/> is 0 when it did not start from a snapshot.</summary>
public sealed record CounterState(int Total, int Count, long RecoveredFromSnapshotAt);

/// <summary>A counter whose additions are events; <see cref="Snap"/> saves its state as a snapshot.</summary>
public sealed class Counter : ReceivePersistentActor
{
    public sealed record Add(int Amount);

    public sealed record Added(int Amount);

    public sealed class Get
    {
        public static readonly Get Instance = new();
        private Get() { }
    }

    public sealed class Snap
    {
        public static readonly Snap Instance = new();
        private Snap() { }
    }

    private CounterState _state = new(0, 0, 0);
    private IActorRef? _snapshotRequester;

    public Counter(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<SnapshotOffer>(offer => _state = ((CounterState)offer.Snapshot) with { RecoveredFromSnapshotAt = offer.Metadata.SequenceNr });
        Recover<Added>(Apply);
        Command<Add>(add => Persist(new Added(add.Amount), e =>
        {
            Apply(e);
            Sender.Tell(_state);
        }));
        Command<Get>(_ => Sender.Tell(_state));
        Command<Snap>(_ =>
        {
            _snapshotRequester = Sender;
            SaveSnapshot(_state);
        });
        Command<SaveSnapshotSuccess>(s => _snapshotRequester?.Tell(s));
        Command<SaveSnapshotFailure>(f => _snapshotRequester?.Tell(new Status.Failure(f.Cause)));
    }

    public override string PersistenceId { get; }

    private void Apply(Added e) => _state = _state with { Total = _state.Total + e.Amount, Count = _state.Count + 1 };
}
