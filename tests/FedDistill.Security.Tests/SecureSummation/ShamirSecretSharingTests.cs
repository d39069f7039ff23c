using System.Security.Cryptography;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Security.Tests.SecureSummation;

public sealed class ShamirSecretSharingTests
{
    [Fact]
    public void Any_threshold_shares_rebuild_the_secret()
    {
        var random = new Random(3);
        var secret = RandomNumberGenerator.GetBytes(121);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = random.Next(2, 40);
            var t = random.Next(1, n + 1);
            var shares = ShamirSecretSharing.Split(secret, n, t);
            var subset = shares.OrderBy(_ => random.Next()).Take(t).ToList();
            Assert.Equal(secret, ShamirSecretSharing.Combine(subset, t));
        }
    }

    /// <summary>
    /// With t − 1 shares fixed, each of the 256 possible values of a t-th share gives a different
    /// secret: t − 1 shares are consistent with every secret, so they say nothing about it.
    /// </summary>
    [Fact]
    public void Fewer_than_threshold_shares_are_consistent_with_every_secret()
    {
        var shares = ShamirSecretSharing.Split([42], shares: 5, threshold: 3);
        Assert.Throws<ArgumentException>(() => ShamirSecretSharing.Combine(shares[..2], 3));
        var candidates = Enumerable.Range(0, 256)
            .Select(guess => ShamirSecretSharing.Combine([shares[0], shares[1], new SecretShare(shares[2].X, [(byte)guess])], 3)[0])
            .Distinct()
            .Count();
        Assert.Equal(256, candidates);
    }

    [Fact]
    public void Shares_with_a_repeated_point_are_refused()
    {
        var shares = ShamirSecretSharing.Split([1, 2, 3], shares: 3, threshold: 2);
        var error = Assert.Throws<ArgumentException>(() => ShamirSecretSharing.Combine([shares[0], shares[0]], 2));
        Assert.Contains("same point", error.Message);
    }

    [Fact]
    public void More_than_255_shares_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShamirSecretSharing.Split([1], shares: 256, threshold: 2));
    }
}
