namespace ChatCluster.Tests.Clustering;

/// <summary>Cluster tests run one class at a time: failure detection is timing-sensitive on a 2-core machine.</summary>
[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection;
