using DprCluster.Abstractions;

namespace DprCluster.Silo.Api;

/// <summary>Answer of <c>DELETE /v1/passages/{id}</c>.</summary>
/// <param name="Id">The deleted id.</param>
/// <param name="Deleted">Always true (an unknown id is a 404).</param>
public sealed record DeleteResponse(string Id, bool Deleted);

/// <summary>Answer of <c>/healthz</c> and <c>/readyz</c>.</summary>
/// <param name="Status"><c>alive</c>, <c>ready</c> or <c>not_ready</c>.</param>
/// <param name="Silo">This silo's name.</param>
/// <param name="Roles">This silo's roles.</param>
/// <param name="Shards">State of every shard replica this silo owns.</param>
public sealed record HealthResponse(string Status, string Silo, IReadOnlyList<string> Roles, IReadOnlyList<ShardHealth> Shards);

/// <summary>One owned shard replica in a health answer.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="State">Recovering, serving or failed.</param>
/// <param name="Error">Why recovery failed, when it did.</param>
public sealed record ShardHealth(int ShardId, ShardState State, string? Error);

/// <summary>An RFC 7807 problem document with the stable <see cref="Code"/> from <see cref="ClusterErrorCodes"/>.</summary>
/// <param name="Type">URI naming the problem type (<c>urn:dprcluster:error:&lt;code&gt;</c>).</param>
/// <param name="Title">Short summary of the problem type.</param>
/// <param name="Status">HTTP status.</param>
/// <param name="Detail">What went wrong with this request.</param>
/// <param name="Instance">The request path.</param>
/// <param name="Code">Stable machine-readable code.</param>
public sealed record ProblemDocument(string Type, string Title, int Status, string Detail, string Instance, string Code);
