namespace FedDistill.Serving.Tests.Support;

/// <summary>Distinct examples for <see cref="FakeStudentModel"/>, so each answer shows which request it belongs to.</summary>
public static class Examples
{
    /// <summary>Example number <paramref name="index"/>: [i, i + 0.25, i + 0.5, -i].</summary>
    public static float[] Of(int index) => [index, index + 0.25f, index + 0.5f, -index];

    /// <summary>Examples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1, back to back.</summary>
    public static float[] Many(int first, int count) => Enumerable.Range(first, count).SelectMany(Of).ToArray();

    /// <summary>The fake model's logits for <see cref="Many"/>.</summary>
    public static float[] ExpectedLogits(int first, int count) =>
        Enumerable.Range(first, count).SelectMany(index => FakeStudentModel.Expected(Of(index))).ToArray();
}
