// The same program with fast I/O: no stream sync, no flush per line.
#include <cstdio>
#include <vector>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> a(n);
    for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
    long long sum = 0;
    for (int i = 0; i < n; i++) {
        sum += a[i];
        printf("%lld\n", sum);
    }
    return 0;
}
