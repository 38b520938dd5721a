package tracking

// dammTable is the order-10 weakly totally anti-symmetric quasigroup from
// H. Michael Damm's thesis (2004), the table every Damm implementation uses.
// Its properties (each row and column a permutation, zero diagonal,
// (c*x)*y = (c*y)*x only when x = y) are what make the check digit catch
// all single-digit errors and all adjacent transpositions; the tests check
// the properties, not just examples.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

// dammCheck runs the Damm algorithm over ASCII digits. For a payload the
// result is its check digit; for a payload with its check digit appended the
// result is 0 exactly when the check digit matches.
func dammCheck(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = dammTable[interim][digits[i]-'0']
	}
	return interim
}
