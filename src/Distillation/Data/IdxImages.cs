namespace FedDistill.Distillation.Data;

/// <summary>
/// The contents of an IDX image file: <see cref="Count"/> unsigned-byte images of
/// <see cref="Rows"/> × <see cref="Columns"/> pixels, stored image-major and row-major.
/// </summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Pixel rows per image (the height).</param>
/// <param name="Columns">Pixel columns per image (the width).</param>
/// <param name="Pixels">
/// All pixels, <c>Count × Rows × Columns</c> bytes in 0..255. The record owns the array; record
/// equality compares it by reference.
/// </param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
