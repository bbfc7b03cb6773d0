using Akka.Actor;

namespace ChatCluster.Node.Core;

/// <summary>
/// Props from a plain factory delegate. <c>Props.Create(() => new X(a, b))</c> takes an expression tree and compiles
/// its captured arguments on every call — JIT work for every connection (a fifth of a core during a connect burst,
/// measured with perf). These actors are local and never re-created from serialized Props. A deploy given here (e.g.
/// the connection actors' mailbox) is shared by every actor of the kind instead of copied per actor.
/// </summary>
public static class ActorFactory<TActor> where TActor : ActorBase
{
    public static Props Props(Func<TActor> create, Deploy? deploy = null) => new FactoryProps(create, deploy ?? Deploy.None);

    private sealed class FactoryProps : Props
    {
        private readonly Func<TActor> _create;

        public FactoryProps(Func<TActor> create, Deploy deploy) : base(deploy, typeof(TActor), []) => _create = create;

        public override ActorBase NewActor() => _create();

        // WithRouter / WithMailbox copy Props; the copy keeps the factory.
        protected override Props Copy() => new FactoryProps(_create, Deploy) { SupervisorStrategy = SupervisorStrategy };
    }
}
