using Akka.Actor;

namespace ChatCluster.Node.Hosting;

/// <summary>
/// Props from a plain factory delegate. <c>Props.Create(() => new X(a, b))</c> takes an expression tree and compiles
/// its captured arguments on every call — JIT work for every connection (a fifth of a core during a connect burst,
/// measured with perf). These actors are local and never re-created from serialized Props.
/// </summary>
public sealed class ActorFactory<TActor> : IIndirectActorProducer where TActor : ActorBase
{
    private readonly Func<TActor> _create;

    private ActorFactory(Func<TActor> create) => _create = create;

    public static Props Props(Func<TActor> create) => Akka.Actor.Props.CreateBy(new ActorFactory<TActor>(create));

    /// <summary>Props with a deploy shared by every actor of the kind (e.g. its mailbox). Not <c>WithDeploy</c>: Akka's
    /// Props copy re-creates the producer from its type through a public constructor, which this producer has not.</summary>
    public static Props Props(Func<TActor> create, Deploy deploy) => new DeployedProps(create, deploy);

    public Type ActorType => typeof(TActor);

    public ActorBase Produce() => _create();

    public void Release(ActorBase actor) { }

    private sealed class DeployedProps : Props
    {
        private readonly Func<TActor> _create;

        public DeployedProps(Func<TActor> create, Deploy deploy) : base(deploy, typeof(TActor), []) => _create = create;

        public override ActorBase NewActor() => _create();

        protected override Props Copy() => new DeployedProps(_create, Deploy) { SupervisorStrategy = SupervisorStrategy };
    }
}
