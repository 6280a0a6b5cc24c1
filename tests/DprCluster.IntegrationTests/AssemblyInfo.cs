// The tests start real silo processes on loopback ports; running them one at a time keeps the two shared cores
// (and the port space) to one cluster at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
