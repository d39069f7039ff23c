namespace FedDistill.Client.Tests.Support;

/// <summary>A <see cref="ConsoleFederation"/> whose two hospitals' silos run, so that a round completes.</summary>
public sealed class HospitalFederation : ConsoleFederation
{
    public HospitalFederation()
        : base(startsHospitals: true)
    {
    }
}
