# Sourced by the scripts: Open MPI settings for a workstation or a CI box.
# Root needs both ALLOW variables; more ranks than cores need oversubscribe;
# no core binding so OpenMP threads can use the cores a rank does not.
# OMP_NUM_THREADS is left alone: unset, xpcs-corr gives each rank its CPUs
# divided by the ranks sharing them (README "Running").
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
export OMPI_MCA_hwloc_base_binding_policy=${OMPI_MCA_hwloc_base_binding_policy:-none}
