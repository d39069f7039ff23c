// Every test class starts an aggregator silo and runs the console as child processes; running
// classes side by side would only make each slower on the shared cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
