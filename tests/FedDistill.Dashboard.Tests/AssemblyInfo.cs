// The tests share one federation of silo processes (DashboardCollection) and a browser competes
// with it for the machine's cores; running classes side by side would only make each slower.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
