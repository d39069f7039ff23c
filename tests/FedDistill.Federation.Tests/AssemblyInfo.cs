// Every test starts silo processes that compete for the machine's cores; deadlines in these
// tests are generous, but running classes side by side would only make each slower.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
